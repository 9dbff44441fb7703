"""Subtitles: ``tracer render -o X.mp4`` writes X.srt and X.vtt beside the video, in its language,
each cue the caption on screen, timed inside the video (ffprobe), with --jobs too."""
from __future__ import annotations

import re
import subprocess

import pytest
from click.testing import CliRunner

pytest.importorskip("manim")

from scenes.curated import build_plan  # noqa: E402
from scenes.plan import caption_of  # noqa: E402
from tests import scene_traces as st  # noqa: E402
from tracer.cli_render import render  # noqa: E402
from tracer.lecture.subtitles import Cue, cues_of, srt, vtt  # noqa: E402

CLOCK = r"(\d\d):(\d\d):(\d\d)[,.](\d\d\d)"


@pytest.fixture(scope="module")
def mlp_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("subtitles") / "mlp.trace"
    st.mlp().save(path)
    return path


def _seconds(h: str, m: str, s: str, ms: str) -> float:
    return int(h) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000


def parse(text: str, vtt_file: bool = False) -> list[Cue]:
    """Cues read back from an .srt or .vtt file (strictly: every block a timing and some text)."""
    if vtt_file:
        assert text.startswith("WEBVTT\n\n")
        text = text[len("WEBVTT\n\n"):]
    cues = []
    for k, block in enumerate(text.strip("\n").split("\n\n"), 1):
        lines = block.split("\n")
        if not vtt_file:
            assert lines.pop(0) == str(k)
        m = re.fullmatch(f"{CLOCK} --> {CLOCK}", lines[0])
        assert m, lines[0]
        words = "\n".join(lines[1:])
        if vtt_file:
            words = words.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
        assert words
        cues.append(Cue(_seconds(*m.groups()[:4]), _seconds(*m.groups()[4:]), words))
    return cues


def _duration(video) -> float:
    out = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", str(video)],
                         capture_output=True, text=True, check=True).stdout
    return float(out)


def _expected(trace, steps: str, lang: str) -> list[str]:
    """The captions the walkthrough shows in that window: the title card, then each step's."""
    plan = build_plan(trace, steps=steps, lang=lang)
    texts = []
    for beat in plan.beats[plan.window[0]:plan.window[1]]:
        if beat.step is None:
            texts.append(f"{beat.title}\n{beat.subtitle}")
        else:
            formula, narration = caption_of(trace, beat.step, lang)
            texts.append(f"{formula}\n{narration}")
    return texts


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_video_comes_with_subtitles_timed_to_its_captions(mlp_file, tmp_path, jobs):
    out = tmp_path / "mlp.mp4"
    result = CliRunner().invoke(render, [str(mlp_file), "--steps", "0..9", "--fps", "4", "--lang", "zh-Hant",
                                         "--jobs", str(jobs), "-o", str(out)])
    assert result.exit_code == 0, result.output
    cues = parse((tmp_path / "mlp.srt").read_text(encoding="utf-8"))
    assert parse((tmp_path / "mlp.vtt").read_text(encoding="utf-8"), vtt_file=True) == cues
    assert [c.text for c in cues] == _expected(st.mlp(), "0..9", "zh-Hant")
    duration = _duration(out)
    assert cues[0].start == 0
    for a, b in zip(cues, cues[1:]):
        assert a.start < a.end == b.start               # one caption until the next comes
    assert abs(cues[-1].end - duration) < 0.3           # the last one until the video ends
    assert all(0 <= c.start < c.end <= duration + 0.01 for c in cues)
    assert re.search(r"[\u4e00-\u9fff]", cues[1].text.splitlines()[-1])    # the narration is Chinese


def test_a_still_has_no_subtitles(mlp_file, tmp_path):
    out = tmp_path / "mlp.png"
    result = CliRunner().invoke(render, [str(mlp_file), "--format", "png", "--steps", "0..4", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mlp.png"]


def test_a_folder_in_the_way_of_the_subtitles_stops_the_render_first(mlp_file, tmp_path):
    (tmp_path / "mlp.srt").mkdir()
    result = CliRunner().invoke(render, [str(mlp_file), "-o", str(tmp_path / "mlp.mp4")])
    assert result.exit_code == 2
    assert "subtitles" in result.output and "not a regular file" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mlp.srt"]


def test_cues_continue_a_repeated_caption_and_escape_vtt():
    cues = cues_of([(3.0, "b"), (0.0, "a < c"), (1.0, "a < c"), (2.0, ""), (9.0, "late")], end=4.0)
    assert cues == [Cue(0.0, 2.0, "a < c"), Cue(3.0, 4.0, "b")]
    assert "a &lt; c" in vtt(cues) and "a < c" in srt(cues)
    assert cues_of([(0.0, "x\n\ny --> z")], end=1.0)[0].text == "x\ny → z"


def test_parse_reads_back_what_srt_writes():
    cues = [Cue(0.0, 1.25, "一\n二"), Cue(1.25, 3661.5, "x")]
    assert parse(srt(cues)) == cues and parse(vtt(cues), vtt_file=True) == cues
