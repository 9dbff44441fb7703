"""An exercise sheet names the rows and columns of every result grid on the questions as the answer
key does (``H1 = max(0, Z1)``: H1's e1…e3 and X1…X4, not only Z1's above it), and a grid without
column labels (a scalar such as ``dloss``) has its name right on its cells, no empty line between.
Read from the PDF with pdftotext -bbox: a label is a small word (about 7.5 pt high), a box's corner
letter smaller (5.6 pt), a grid's name and its numbers larger (about 9.3 pt)."""
from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass

import pytest

from tracer.lecture import plan_sheet, sheet_pdf

from .example_runs import run

pytest.importorskip("fpdf")
needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (make system)")
CELL_PT = 5.5 / 25.4 * 72     # a cell's height (sheet_layout.CELL_H, 5.5 mm) in points


@dataclass
class Word:
    x0: float
    y0: float
    x1: float
    y1: float
    text: str

    @property
    def small(self) -> bool:   # a row or column label or a box's corner letter, not a name or a number
        return self.y1 - self.y0 < 8.5

    @property
    def label(self) -> bool:   # a row or column label: a box's corner letter is smaller still (5.6 pt)
        return 6.5 < self.y1 - self.y0 < 8.5


def blocks(plan, tmp_path) -> tuple[dict[str, list[Word]], dict[str, list[Word]]]:
    """Each step's block of words on the questions' pages and on the key's, by the step's id: from
    its heading (``Step 24 · …``) to the next one, on one page (a block never spans two)."""
    out = tmp_path / "s.pdf"
    out.write_bytes(sheet_pdf(plan))
    html = subprocess.run(["pdftotext", "-bbox", str(out), "-"], capture_output=True, text=True, check=True).stdout
    found: tuple[dict, dict] = ({}, {})
    key = False
    for page in html.split("<page ")[1:]:
        words = [Word(float(a), float(b), float(c), float(d), w) for a, b, c, d, w in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', page)]
        key = key or any(w.text == "Answer" for w in words)
        current = None
        for k, w in enumerate(words):
            if w.text == "Step" and k + 2 < len(words) and words[k + 1].text.isdigit() and words[k + 2].text == "·":
                current = found[key].setdefault(words[k + 1].text, [])
            elif current is not None:
                current.append(w)
    return found


def labels_of(block: list[Word], name: str, rows: int) -> tuple[list[str], list[str]]:
    """The column labels under the grid called ``name`` (the first line of small words just below a
    word ``name``) and its row labels (small words just left of it, down its rows)."""
    best: tuple[list[str], list[str]] = ([], [])
    for title in (w for w in block if w.text == name and not w.small):
        beside = [w.x0 for w in block if not w.small and abs(w.y0 - title.y0) < 1 and w.x0 > title.x1]
        end = min(beside, default=float("inf"))   # the next grid's name in the row: its labels are its own
        below = [w for w in block if w.label and title.y1 <= w.y0 < title.y1 + 6 and title.x0 - 4 <= w.x0 < end]
        line = sorted((w for w in below if abs(w.y0 - min(below, key=lambda v: v.y0).y0) < 1), key=lambda w: w.x0) \
            if below else []
        left = sorted((w for w in block if w.label and title.x0 - 10 < w.x1 <= title.x0 + 1   # right-aligned to it
                       and title.y1 < w.y0 < title.y1 + 12 + rows * CELL_PT), key=lambda w: w.y0)
        got = ([w.text for w in line], [w.text for w in left])
        best = max(best, got, key=lambda g: len(g[0]) + len(g[1]))
    return best


def expected(trace, tid: str) -> tuple[list[str], list[str]]:
    rec = trace.tensors[tid]
    labels = list(rec.labels or ())
    if len(rec.shape) == 1:
        return [str(n) for n in (labels[0] or [])] if labels else [], []
    cols = labels[1] if len(labels) > 1 and labels[1] else []
    rows = labels[0] if labels and labels[0] else []
    return [str(n) for n in cols], [str(n) for n in rows]


@needs_poppler
@pytest.mark.parametrize("name, steps", [("autoencoder", "0..29"), ("transformer_block", "160..172")])
def test_every_result_grid_has_its_labels_on_the_questions_as_in_the_key(name, steps, tmp_path):
    trace = run(name)
    plan = plan_sheet(trace, steps, 0.3, 0)
    questions, key = blocks(plan, tmp_path)
    assert set(questions) == set(key) == {str(ex.step.id) for ex in plan.exercises}
    seen = 0
    for ex in plan.exercises:
        for tid in ex.results:
            rec = trace.tensors[tid]
            rows = rec.shape[0] if len(rec.shape) == 2 else 1
            want = expected(trace, tid)
            on_key = labels_of(key[str(ex.step.id)], rec.name, rows)
            asked = labels_of(questions[str(ex.step.id)], rec.name, rows)
            assert on_key == want, (ex.step.id, rec.name, on_key)
            assert asked == want, (ex.step.id, rec.name, asked)
            seen += bool(want[0] or want[1])
    assert seen >= (8 if name == "autoencoder" else 1)


@needs_poppler
def test_h1_under_z1_repeats_z1s_labels_and_z1_beside_w1_gets_its_own(tmp_path):
    """Step 4, H1 = max(0, Z1): H1's labels on the questions (they were on Z1 above it only);
    step 0, Z1 = W1·X + b1: e1…e3 left of Z1 as well as left of W1."""
    questions, _ = blocks(plan_sheet(run("autoencoder"), "0..4", 0.3, 0), tmp_path)
    assert labels_of(questions["4"], "H1", 3) == (["X1", "X2", "X3", "X4"], ["e1", "e2", "e3"])
    assert labels_of(questions["4"], "Z1", 3) == (["X1", "X2", "X3", "X4"], ["e1", "e2", "e3"])
    e1 = sorted(w.x0 for w in questions["0"] if w.text == "e1")
    assert len(e1) == 2 and e1[1] - e1[0] > 100        # left of W1, and left of Z1 across the page


@needs_poppler
def test_a_grid_without_column_labels_has_its_name_on_its_cells(tmp_path):
    """dloss (a scalar above dH4) and the key's loss: the name, then at once the cell; a grid with
    column labels has them in between, one small line."""
    trace = run("autoencoder")
    questions, key = blocks(plan_sheet(trace, "20..24", 0.3, 0), tmp_path)

    def gap(block: list[Word], name: str, value: str) -> float:
        return min(cell.y0 - title.y1 for title in block if title.text == name and not title.small
                   for cell in block if cell.text == value and cell.y0 > title.y1 and abs(cell.x0 - title.x0) < 30)
    # the number sits in a 5.5 mm cell (15.6 pt) under the name: about 3 pt of the cell above it
    scalar = gap(questions["24"], "dloss", "1")
    assert scalar < 6
    assert gap(key["20"], "loss", "34") < 6        # loss = Σ (H4 − Y′)² = 34, the key's one cell
    # X1 … X4 between dH4's name and its first row: the line of labels, about 10 pt more
    assert 8 < gap(questions["24"], "dH4", "−2") - scalar < 14


@needs_poppler
@pytest.mark.parametrize("name, steps", [("sparse_autoencoder", "47..66"), ("autoencoder", "20..29")])
def test_no_grid_name_runs_into_the_next(name, steps, tmp_path):
    """A grid narrower than its name (dnorm_weights, one column, beside norms) takes its name's
    width in its row: the next grid's name starts after it (they were written over each other)."""
    plan = plan_sheet(run(name), steps, 0.3, 0)
    questions, key = blocks(plan, tmp_path)
    names = {rec.name for rec in plan.trace.tensors.values()}
    checked = 0
    for block in (*questions.values(), *key.values()):
        titles = sorted((w for w in block if w.text in names and not w.small), key=lambda w: (round(w.y0), w.x0))
        for a, b in zip(titles, titles[1:]):
            if abs(a.y0 - b.y0) < 1:
                checked += 1
                assert b.x0 >= a.x1, (a.text, b.text, a.x1, b.x0)
    assert checked >= 5
