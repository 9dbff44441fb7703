"""``tracer slides``: one slide per pause point of the story, in an HTML deck that plays offline, a
PPTX with speaker notes and a PDF handout whose text stays text; every mistake one line, exit 2."""
from __future__ import annotations

import base64
import io
import re
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner

from tests import scene_traces as st
from tracer.cli_slides import slides
from tracer.explain import explain
from tracer.i18n import narrate
from tracer.lecture.slides import build_deck
from tracer.story import Chapter, Story

CHAPTERS = [  # the mlp trace: Z1 linear 0–3, H 4, Y linear 5–8, L mse 9–12, backward 13–25
    Chapter({"en": "Layer 1", "zh-Hant": "第一層"}, (0, 4)),
    Chapter({"en": "Layer 2", "zh-Hant": "第二層"}, (5, 8), pause=False),
    Chapter({"en": "The loss", "zh-Hant": "損失"}, (9, 12)),
    Chapter({"en": "Every gradient", "zh-Hant": "每一個梯度"}, (13, 25), play="summary", repeat=2),
]
PAUSES = [(0, 4, 4), (9, 12, 9), (13, 25, 22)]   # first, last, the step each slide shows


@pytest.fixture(autouse=True)
def elsewhere(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="module")
def story_trace():
    trace = st.mlp()
    trace.meta["story"] = Story({"en": "A small MLP", "zh-Hant": "小小的多層感知器"},
                                {"en": "How far is Y from T?", "zh-Hant": "Y 離 T 有多遠？"}, CHAPTERS,
                                recap={"en": "The loss is the mean of the squares.", "zh-Hant": "損失是平方的平均。"}
                                ).to_meta()
    return trace


@pytest.fixture(scope="module")
def story_file(story_trace, tmp_path_factory):
    path = tmp_path_factory.mktemp("slides") / "mlp.trace"
    story_trace.save(path)
    return path


def run(*args):
    return CliRunner().invoke(slides, [str(a) for a in args])


def test_pause_points_are_the_chapter_ends_that_pause(story_trace):
    deck = build_deck(story_trace, "en")
    assert [(s.first, s.last, s.step.id) for s in deck.slides] == PAUSES
    assert [s.title for s in deck.slides] == ["Layer 1", "The loss", "Every gradient"]
    assert deck.slides[2].fast and deck.slides[2].repeat == 2
    assert (deck.title, deck.question) == ("A small MLP", "How far is Y from T?")


def test_without_a_story_one_slide_per_top_level_step_in_the_range():
    trace = st.mlp()
    deck = build_deck(trace, "en", steps="4..13")
    assert [s.step.id for s in deck.slides] == [4, 5, 9, 13]
    assert (deck.slides[1].first, deck.slides[1].last) == (5, 8)     # the linear layer and its parts


def test_notes_hold_the_narration_and_the_working_from_explain(story_trace):
    deck = build_deck(story_trace, "en")
    loss = deck.slides[1]
    working = explain(story_trace, 9, (), minus="−").lines
    notes = loss.notes("en")
    assert narrate(story_trace, story_trace.steps[9], "en") in notes
    assert working and all(line in notes for line in working)


def test_html_deck_plays_offline_with_one_slide_per_pause_point(story_file, tmp_path):
    out = tmp_path / "deck.html"
    result = run(story_file, "-o", out, "-q", "l")
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert page.count('<section class="slide"') == len(PAUSES)
    assert "http://" not in page and "https://" not in page
    references = re.findall(r'(?:src|href)\s*=\s*"([^"]*)"', page) + re.findall(r"url\(([^)]*)\)", page)
    assert references and all(r.startswith(("data:", "#")) for r in references), references
    assert not re.search(r"<(?:link|iframe|object|embed)\b", page)          # nothing else pulled in
    stills = re.findall(r'src="data:image/png;base64,([^"]+)"', page)
    assert len(stills) == len(PAUSES)
    assert all(base64.b64decode(s)[:8] == b"\x89PNG\r\n\x1a\n" for s in stills)
    assert "rendering stills" in result.output
    assert [p.name for p in tmp_path.iterdir()] == ["deck.html"]             # no scratch folder left


def test_pptx_has_a_slide_with_notes_per_pause_point(story_file, story_trace, tmp_path):
    from pptx import Presentation

    out = tmp_path / "deck.pptx"
    result = run(story_file, "-o", out, "--no-stills")
    assert result.exit_code == 0, result.output
    shown = Presentation(str(out))
    assert len(shown.slides) == len(PAUSES)
    for slide, (_, _, step) in zip(shown.slides, PAUSES):
        notes = slide.notes_slide.notes_text_frame.text
        assert narrate(story_trace, story_trace.steps[step], "en") in notes
    titles = [slide.shapes[0].text_frame.text for slide in shown.slides]
    assert "Layer 1" in titles[0] and "How far is Y from T?" in titles[0]


def test_stills_and_clips_go_into_every_format(story_trace, tmp_path):
    from pptx import Presentation
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    pytest.importorskip("manim")
    from tracer.cli_slides import render_stills
    from tracer.lecture import deck_html, deck_pptx, handout

    deck = build_deck(story_trace, "en")
    render_stills(story_trace, deck, tmp_path / "x.pptx", quality="l", clips=True, fps=2)
    assert all(s.still[:4] == b"\x89PNG" and s.clip[4:8] == b"ftyp" for s in deck.slides)
    movies = re.findall(r'<video src="data:video/mp4;base64,([^"]+)" poster="data:image/png;base64,',
                        deck_html.html_of(deck))
    assert len(movies) == len(PAUSES) and base64.b64decode(movies[0])[4:8] == b"ftyp"
    deck_pptx.write(deck, tmp_path / "x.pptx")
    kinds = [[sh.shape_type for sh in s.shapes] for s in Presentation(str(tmp_path / "x.pptx")).slides]
    assert [k.count(MSO_SHAPE_TYPE.MEDIA) for k in kinds] == [1] * len(PAUSES)
    handout.write(deck, tmp_path / "x.pdf")
    assert _pages(tmp_path / "x.pdf") == len(PAUSES)
    images = subprocess.run(["pdfimages", "-list", str(tmp_path / "x.pdf")], capture_output=True, text=True).stdout
    assert len(images.strip().splitlines()) - 2 == len(PAUSES)     # two header lines, then one per still
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def _pages(pdf) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def _text(pdf) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout


@pytest.mark.skipif(shutil.which("pdfinfo") is None, reason="poppler-utils (make setup installs it)")
def test_pdf_handout_has_a_page_per_pause_point_and_text_that_stays_text(story_file, story_trace, tmp_path):
    out = tmp_path / "handout.pdf"
    result = run(story_file, "-o", out, "--no-stills")
    assert result.exit_code == 0, result.output
    assert _pages(out) == len(PAUSES)
    text = " ".join(_text(out).split())
    for title in ("Layer 1", "The loss", "Every gradient", "Recap: The loss is the mean of the squares."):
        assert title in text
    assert explain(story_trace, 9, (), minus="−").lines[-1].split(" = ")[-1] in text


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (make setup installs it)")
def test_a_zh_hant_deck_and_handout_are_in_chinese(story_file, story_trace, tmp_path):
    result = run(story_file, "-o", tmp_path / "deck.html", "--lang", "zh-Hant", "--no-stills")
    assert result.exit_code == 0, result.output
    page = (tmp_path / "deck.html").read_text(encoding="utf-8")
    assert '<html lang="zh-Hant">' in page and "小小的多層感知器" in page and "第 {n} 張，共 {total} 張" in page
    for title in ("第一層", "損失", "每一個梯度"):
        assert f"<h2>{title}</h2>" in page
    assert "快轉，×2" in page and "講者備註" in page
    assert narrate(story_trace, story_trace.steps[4], "zh-Hant") in page
    result = run(story_file, "-o", tmp_path / "handout.pdf", "--lang", "zh-Hant", "--no-stills")
    assert result.exit_code == 0, result.output
    text = "".join(_text(tmp_path / "handout.pdf").split())
    for words in ("第一層", "Y離T有多遠？", "重點回顧：損失是平方的平均。", "".join(narrate(story_trace, story_trace.steps[4],
                                                                               "zh-Hant").split())):
        assert words in text


@pytest.mark.parametrize("args, message", [
    (["{trace}", "-o", "deck.key"], "choose a .html, .pptx or .pdf"),
    (["{trace}", "-o", "deck.html", "--steps", "5..8"], "no pause point"),
    (["{trace}", "-o", "deck.html", "--steps", "9..2"], "--steps"),
    (["{missing}", "-o", "deck.html"], "no such file"),
    (["{trace}", "-o", "{nodir}/deck.html"], "there is no folder"),
    (["{trace}", "-o", "{trace}"], "is the input"),
])
def test_errors_are_one_line_exit_2_and_leave_no_file(story_file, tmp_path, args, message):
    names = {"trace": story_file, "missing": tmp_path / "missing.trace", "nodir": tmp_path / "nodir"}
    result = run(*[a.format(**names) for a in args], "--no-stills")
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and message in lines[0], result.output
    assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []


def test_registered_and_lazy():
    from tracer.cli import main

    assert "slides" in CliRunner().invoke(main, ["--help"]).output
    code = "import sys, tracer.cli_slides; print('manim' in sys.modules, 'scenes' in sys.modules, 'pptx' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False", "False"]


def test_a_pptx_written_from_a_deck_reopens(story_trace):
    from pptx import Presentation

    from tracer.lecture.deck_pptx import pptx_bytes

    deck = build_deck(story_trace, "vi")
    shown = Presentation(io.BytesIO(pptx_bytes(deck)))
    assert shown.core_properties.title == "A small MLP"        # no Vietnamese title given: English
    assert all(s.has_notes_slide for s in shown.slides)
