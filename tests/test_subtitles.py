"""Subtitles: ``tracer render -o X.mp4`` writes X.srt and X.vtt beside the video, in its language,
each cue the caption on screen, timed inside the video (ffprobe), with --jobs too."""
from __future__ import annotations

import re
import subprocess
import unicodedata

import pytest
from click.testing import CliRunner

pytest.importorskip("manim")

from scenes.curated import build_plan  # noqa: E402
from scenes.plan import caption_of  # noqa: E402
from scenes.caption import card_said  # noqa: E402
from tests import scene_traces as st  # noqa: E402
from tests.example_runs import run  # noqa: E402
from tracer.cli_render import render  # noqa: E402
from tracer.lecture.subtitles import Cue, cues_of, srt, vtt  # noqa: E402
from tracer.story import Story, text  # noqa: E402

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
    assert_readable(cues)
    # every caption's text, in order, each cut into cues of two short lines at most
    assert _bare("".join(c.text for c in cues)) == _bare("".join(_expected(st.mlp(), "0..9", "zh-Hant")))
    assert len(cues) > len(_expected(st.mlp(), "0..9", "zh-Hant"))   # some were longer than a cue
    duration = _duration(out)
    assert cues[0].start == 0
    for a, b in zip(cues, cues[1:]):
        assert a.start < a.end == b.start               # one caption until the next comes
    assert abs(cues[-1].end - duration) < 0.3           # the last one until the video ends
    assert all(0 <= c.start < c.end <= duration + 0.01 for c in cues)
    assert any(re.search(r"[\u4e00-\u9fff]", c.text) for c in cues[1:])    # the narration is Chinese


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


# ---- what a cue holds: two lines a viewer reads at a glance, the caption's text whole and in order

NO_START = "，。、；：！？」）"    # 禁則: no line starts with these
NO_END = "「（"                  # nor ends with these


def _width(line: str) -> int:
    """Columns of a line: a wide (CJK) character two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)


def _bare(s: str) -> str:
    return re.sub(r"\s+", "", s)


def _tokens(s: str) -> list[str]:
    """The runs a line never breaks inside: a word, a number, a formula's token (1.63e−04, W·x)."""
    return re.findall(r"[^\s\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]+", s)


def assert_readable(cues: list[Cue]) -> None:
    for c in cues:
        lines = c.text.split("\n")
        assert 1 <= len(lines) <= 2 and all(lines), c
        assert all(_width(line) <= 42 for line in lines), c
        assert not any(line[0] in NO_START or line[-1] in NO_END for line in lines), c
    for a, b in zip(cues, cues[1:]):
        assert a.start < a.end <= b.start


def _captions() -> list[str]:
    """Real captions, long and short: every step's of two stories and their recaps, in English and Chinese."""
    captions = []
    for name in ("self_attention", "perceptron"):
        trace = run(name)
        for lang in ("en", "zh-Hant"):
            captions += ["\n".join(caption_of(trace, s, lang)) for s in trace.steps if s.parent is None]
            captions.append(text(Story.from_meta(trace.meta).recap, lang))
    return captions


def test_a_long_caption_is_cut_into_cues_of_two_short_lines_sharing_its_time():
    captions = _captions()
    long = 0
    for caption in captions:
        cues = cues_of([(10.0, caption)], end=22.0)
        assert_readable(cues)
        shown = "\n".join(c.text for c in cues)
        assert _bare(shown) == _bare(caption)                       # nothing lost, nothing reordered
        assert sorted(_tokens(shown)) == sorted(_tokens(caption))   # no break inside a number or token
        assert cues[0].start == 10.0 and cues[-1].end == 22.0
        assert all(a.end == b.start for a, b in zip(cues, cues[1:]))   # one after the other
        assert all(c.end - c.start >= 1.0 for c in cues)
        long += len(cues) > 1
    assert long >= 10   # main put each of these in one cue of 3 to 8 lines


def test_cues_share_a_captions_time_in_proportion_to_their_length():
    formula = "loss = mean((z − Y)²)"
    narration = ("Mean squared error: subtract the target Y from z, square each difference, and average "
                 "them over every entry of z, the 4 rows and the 2 columns.")
    cues = cues_of([(0.0, f"{formula}\n{narration}")], end=30.0)
    assert cues[0].text == formula and len(cues) == 3
    spans = [c.end - c.start for c in cues]
    widths = [_width(c.text.replace("\n", " ")) for c in cues]
    assert spans[1] / spans[2] == pytest.approx(widths[1] / widths[2], rel=0.01)
    assert spans[0] / spans[1] == pytest.approx(widths[0] / widths[1], rel=0.01)
    short = cues_of([(0.0, f"{formula}\n{narration}")], end=3.5)   # a short time: each at least 1 s
    assert [round(c.end - c.start, 3) for c in short][0] == 1.0 and short[-1].end == 3.5


def test_a_number_or_a_formula_token_is_never_cut_at_a_line_end():
    """Nor is a number parted from the sign that relates it to the one before (= → + ≤)."""
    caption = ("The kept fraction 0.62 / 0.71 = 0.87 of W·x, then 1.63e−04 and 2.09e+04 after "
               "2148.10 steps of W·x + b: Ana 90 → 1.00, Bao 80 → 0.75, 5·1 + 2·1 + 9·0 = 7 ≤ 8, with 1.63e−04 again")
    cues = cues_of([(0.0, caption)], end=20.0)
    assert_readable(cues)
    assert sorted(_tokens("\n".join(c.text for c in cues))) == sorted(_tokens(caption))
    for cue in cues:
        for line in cue.text.split("\n"):
            assert not re.match(r"[=→+≤/−] ", line) and not re.search(r" [=→+≤/−]$", line), line
    zh = "一步 SGD 把「蘋果」→「吃」的權重從 0.94 變成 0.99，學習率 1.63e−04，再把「愛」→「吃」從 0.57 變成 0.61。"
    cues = cues_of([(0.0, zh)], end=9.0)
    assert len(cues) >= 2 and sorted(_tokens("\n".join(c.text for c in cues))) == sorted(_tokens(zh))
    assert_readable(cues)


def test_a_long_caption_shown_twice_in_a_row_is_one_caption_cut_once():
    caption = "\n".join(_captions()[:2])
    once = cues_of([(0.0, caption)], end=12.0)
    twice = cues_of([(0.0, caption), (5.0, caption)], end=12.0)
    assert twice == once and len(once) > 1


def test_a_cards_subtitle_is_its_title_and_its_gist():
    trace = run("perceptron")
    story = Story.from_meta(trace.meta)
    for lang in ("en", "zh-Hant"):
        recap = text(story.recap, lang)
        said = card_said("recap", "RECAP", recap, lang=lang)
        title, gist = said.split("\n")
        assert title == "RECAP" and recap.startswith(gist) and len(gist) < len(recap) * 0.8
        assert gist.endswith((".", "。")) and "7 ≤ 8" not in gist   # whole sentences, not the last
        assert card_said("title", text(story.title, lang), text(story.question, lang), lang=lang) == \
            f"{text(story.title, lang)}\n{text(story.question, lang)}"
    assert card_said("summary", "Epochs 2–5", "", 4) == "fast-forward: Epochs 2–5\nthe same computation ×4"
    assert card_said("summary", "第 2–5 輪", "", 1, "zh-Hant") == "快轉：第 2–5 輪"
    assert card_said("overview", "The whole network on one page", "") == "The whole network on one page"
