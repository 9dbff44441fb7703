"""The lecture material writes a step's formula in the reader's language (a formula with words in
it, ``1 if … else 0``, ``copied to every entry``, is not left in English in a zh-Hant deck, sheet or
notebook) and signs every minus ``−`` in it and in the titles, as the body text and the grids do."""
from __future__ import annotations

import dataclasses
import shutil
import subprocess
from html import escape

import pytest

import tracer
from tracer.explain import explain
from tracer.lecture.exercise import hint
from tracer.lecture.notebook import step_html, trace_html
from tracer.lecture.slides import build_deck

# the step op's formula and its gradient's, in 繁體中文 (tracer/i18n_formulas.py), with the trace's names
STEP_ZH = "H = 1（當 Z > −0.5），否則為 0"
SUM_GRAD_ZH = "dP = ds，複製到每個元素"
TITLE = "Step at −0.5, eps 1e−05"


def worded(title: str = "Step at -0.5, eps 1e-05", **meta) -> tracer.Trace:
    """A threshold at −0.5 (a formula with words and a negative number), a sum and its gradient."""
    with tracer.record(title=title, **meta) as trace:
        Z = tracer.param([[1.0, -2.0]], name="Z")
        H = tracer.step(Z, threshold=-0.5, name="H")
        tracer.sum(tracer.mul(H, Z, name="P"), name="s").backward()
    return trace


@pytest.fixture(scope="module")
def trace():
    return worded()


def test_the_recorded_formulas_are_english_with_hyphen_minus(trace):
    # what the fix is about: the trace keeps English and ASCII, the lecture material must not
    assert trace.steps[0].formula == "H = 1 if Z > -0.5 else 0"
    assert trace.step("s.grad").formula == "dP = ds copied to every entry"


def test_a_zh_hant_deck_writes_formulas_titles_and_notes_in_zh_hant(trace, tmp_path):
    deck = build_deck(trace, "zh-Hant")
    assert deck.title == TITLE
    by_first = {s.first: s for s in deck.slides}
    assert by_first[0].formula == STEP_ZH
    sum_grad = next(s for s in deck.slides if s.step.name == "s.grad")
    assert sum_grad.formula == SUM_GRAD_ZH
    assert STEP_ZH in by_first[0].notes("zh-Hant")
    from tracer.lecture.deck_html import write
    write(deck, tmp_path / "deck.html")
    page = (tmp_path / "deck.html").read_text(encoding="utf-8")
    assert f"<title>{TITLE}</title>" in page and f"<h1>{TITLE}</h1>" in page
    assert escape(STEP_ZH) in page and SUM_GRAD_ZH in page
    assert "copied to every entry" not in page and "1 if Z" not in page and "-0.5" not in page


def test_a_full_chapters_notes_list_its_formulas_in_the_language():
    story = {"title": {"en": "Step at -0.5", "zh-Hant": "在 -0.5 的階躍"},
             "chapters": [{"title": {"en": "All of it", "zh-Hant": "全部"}, "steps": [0, 6]}]}
    deck = build_deck(worded(story=story), "zh-Hant")
    assert deck.title == "在 −0.5 的階躍"       # the story's title, signed as the body
    (slide,) = deck.slides
    assert slide.chapter[0] == STEP_ZH
    assert f"· {STEP_ZH}" in slide.notes("zh-Hant")


def test_an_english_deck_keeps_the_english_formula_signed(trace):
    deck = build_deck(trace, "en")
    assert deck.slides[0].formula == "H = 1 if Z > −0.5 else 0"
    assert deck.title == TITLE


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (make system)")
def test_a_zh_hant_sheet_prints_the_formula_and_title_in_zh_hant(trace, tmp_path):
    pytest.importorskip("fpdf")
    from tracer.lecture import plan_sheet, sheet_pdf
    path = tmp_path / "s.pdf"
    path.write_bytes(sheet_pdf(plan_sheet(trace, "0..0", blanks=1.0, lang="zh-Hant")))
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert STEP_ZH in text
    assert f"練習單 · {TITLE}" in text and f"解答 · {TITLE}" in text   # the heading, the key's and the footer
    assert "1 if Z" not in text and "-0.5" not in text and "1e-05" not in text


def test_a_hint_without_a_working_formula_falls_back_to_the_steps_in_the_language(trace):
    step = trace.steps[0]
    w = dataclasses.replace(explain(trace, step, (0, 1), minus="−", lang="zh-Hant"), formula="")
    assert hint(trace, w, step, "zh-Hant").startswith("1（當 Z > −0.5），否則為 0")


def test_the_notebook_writes_the_formula_and_title_in_the_language(trace):
    html = step_html(trace.steps[0], trace, "zh-Hant")
    assert f"<code>{escape(STEP_ZH)}</code>" in html and ">前向</span>" in html   # its phase too
    assert SUM_GRAD_ZH in step_html(trace.step("s.grad"), trace, "zh-Hant")
    table = trace_html(trace, "zh-Hant")
    assert f"<b>{TITLE}</b>" in table and "<td>反向</td>" in table and "forward" not in table


def test_a_step_copied_out_of_its_trace_keeps_its_formula_signed():
    step = dataclasses.replace(worded().steps[0])     # no trace owns it: no names to write it with
    assert "<code>H = 1 if Z &gt; −0.5 else 0</code>" in step_html(step, None, "zh-Hant")
