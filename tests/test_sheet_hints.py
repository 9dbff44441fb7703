"""An exercise sheet's hints name only grids printed on their page: a composite's parts (a layer
norm's backward adds two contributions, dresid_post′ and dresid_post″) are printed beside the
questions under their own names, a gradient a part passed on unchanged is named as the grid it
copies (dscaled is dln2), a copy of a part's cell gives way to that cell's working (db4[2] is a
row of dZ4 added up); the answer key still adds up line by line, and its answers stand clear of
their boxes' corner letters."""
from __future__ import annotations

import re
import shutil
import subprocess

import numpy as np
import pytest

from tracer.display import fmt, number_format
from tracer.explain import explain
from tracer.explain.check import check_line
from tracer.lecture import plan_sheet, sheet_pdf
from tracer.lecture.given import for_page

from .example_runs import run

pytest.importorskip("fpdf")
needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (make system)")
LN_BACKWARD = "train.0.blocks.0.ln2.grad"
NAME = re.compile(r"[^\W\d][\w′″‴]*")


def ln_range(trace) -> str:
    """The layer norm's backward, from its composite to the accumulate that ends it."""
    step = trace.step(LN_BACKWARD)
    last = max(s.id for s in trace.steps if s.id > step.id and s.name.startswith("train.0.blocks.0.")
               and s.id < trace.step("train.0.blocks.0.resid_post.grad").id)
    assert trace.steps[last].op == "accumulate"
    return f"{step.id}..{last}"


def questions(trace, plan, tmp_path) -> list[tuple[str, str]]:
    """The questions' pages, one block per step, as pdftotext reads them: in reading order (a
    grid's name is a line of its own) and as laid out (a question is a line of its own)."""
    out = tmp_path / "s.pdf"
    out.write_bytes(sheet_pdf(plan))

    def blocks(*how: str) -> list[str]:
        text = subprocess.run(["pdftotext", *how, str(out), "-"], capture_output=True, text=True, check=True).stdout
        return text.split("Answer key", 1)[0].split("Step ")[1:]
    return list(zip(blocks(), blocks("-layout"), strict=True))


def named_off_the_page(trace, block: tuple[str, str]) -> set[str]:
    """The tensor names a block's questions (``a   Z[0, 1] = hint  ← Z[0, :]``) use that no grid of
    the block carries."""
    names = {rec.name for rec in trace.tensors.values()}
    grids = {line.strip() for line in block[0].splitlines()} & names
    asked = [line for line in block[1].splitlines() if re.match(r"^\s*[a-z]{1,3}\s+[^\W\d]\S*(\[[\d, ]+\])? = ", line)]
    assert asked, block[1][:300]
    return {w for line in asked for w in NAME.findall(line) if w in names} - grids


def check_key(plan) -> int:
    n = 0
    for ex in plan.exercises:
        for b in ex.blanks:
            data = plan.trace.tensors[b.tensor].data
            printed = fmt(np.asarray(data)[b.index], number_format(data), "−")
            assert b.answer.text == printed and b.answer.lines[-1].endswith(printed), (b.label, b.answer.lines)
            earlier: list[str] = []
            for line in b.answer.lines:   # redone from its printed numbers, it gives its printed result
                problems, results = check_line(line)
                assert not problems, problems
                earlier += results
            n += 1
    return n


@needs_poppler
def test_a_layer_norms_backward_prints_the_contributions_its_hints_add(tmp_path):
    trace = run("transformer_block")
    plan = plan_sheet(trace, ln_range(trace), 1.0, 0)
    [ex] = plan.exercises
    assert ex.step.name == LN_BACKWARD
    names = lambda tids: [trace.tensors[t].name for t in tids]  # noqa: E731
    assert names(ex.top) == ["dln2"] and names(ex.results) == ["dresid_post", "dgamma2", "dbeta2"]
    assert names(ex.given) == ["dresid_post′", "dresid_post″", "normalized"]
    hints = {(trace.tensors[b.tensor].name, b.index): b.hint for b in ex.blanks}
    assert hints["dresid_post", (1, 0)] == "dresid_post′ + dresid_post″  ← dresid_post′[1, 0], dresid_post″[1, 0]"
    assert hints["dgamma2", (2, 0)] == "dln2×normalized  ← dln2[2, :], normalized[2, :]"  # dscaled is dln2, passed on
    assert hints["dbeta2", (3, 0)] == "Σ dln2[3, :]"
    for b in ex.blanks:   # every cell a hint reads is on the page
        assert {t for t, _ in b.answer.reads} <= set(ex.shown()), b.hint
    [block] = questions(trace, plan, tmp_path)
    assert named_off_the_page(trace, block) == set()
    assert "The hints also read these grids" in block[0]
    assert check_key(plan) == 12 + 4 + 4


def test_the_printed_contributions_add_up_to_the_answer():
    """dresid_post = dresid_post′ + dresid_post″, cell by cell, from the numbers the page prints."""
    trace = run("transformer_block")
    plan = plan_sheet(trace, ln_range(trace), 1.0, 0)
    [ex] = plan.exercises
    first, second = ex.given[:2]
    for b in ex.blanks:
        if trace.tensors[b.tensor].name == "dresid_post":
            line = f"{plan.text(first, b.index)} + {plan.text(second, b.index)} = {b.answer.text}"
            assert line.replace(" + −", " − ") == b.answer.expression
            assert not check_line(b.answer.expression)[0]


@needs_poppler
def test_a_linear_layers_backward_names_dZ_and_prints_its_operands(tmp_path):
    trace = run("autoencoder")
    plan = plan_sheet(trace, "24..29", 0.5, 3)
    by_step = {ex.step.name: ex for ex in plan.exercises}
    sse, linear = by_step["train.0.loss.grad"], by_step["train.0.decoder.layer2.Z4.grad"]
    assert [trace.tensors[t].name for t in sse.given] == ["H4", "Y′"]
    assert sorted(trace.tensors[t].name for t in linear.given) == ["H3", "W4"]
    dZ4 = np.asarray(trace.tensors[linear.top[0]].data)
    for b in linear.blanks:
        assert "dmatmul" not in b.hint and "dbias_column" not in b.hint
        if trace.tensors[b.tensor].name == "db4":  # the bias's gradient: its row of dZ4 added up, by hand
            (i,) = b.index
            assert b.hint == f"Σ dZ4[{i}, :]"
            assert b.answer.expression.endswith(f"= {fmt(dZ4[i].sum(), number_format(dZ4), '−')}")
            assert b.answer.expression.count("+") + b.answer.expression.count("−") >= dZ4.shape[1] - 1
    assert any(trace.tensors[b.tensor].name == "db4" for b in linear.blanks)
    for block in questions(trace, plan, tmp_path):
        assert named_off_the_page(trace, block) == set(), block[:80]
    check_key(plan)


@needs_poppler
def test_a_plain_primitive_needs_nothing_beside_its_own_grids(tmp_path):
    import tracer

    with tracer.record() as trace:
        x = tracer.param([[1.0, -2.0], [3.0, 0.5]], name="x")
        y = tracer.tensor([[2.0, 1.0], [-1.0, 4.0]], name="y")
        tracer.sum(tracer.relu(tracer.mul(x, y, name="z"), name="h"), name="s").backward()
    plan = plan_sheet(trace, "0..5", 1.0, 0)
    assert [e.step.name for e in plan.exercises] == ["z", "h", "s", "s.grad", "h.grad", "z.grad"]
    assert all(e.given == [] for e in plan.exercises)
    mul_grad = plan.exercises[-1]
    assert mul_grad.blanks[3].hint == "dz×y  ← dz[1, 1], y[1, 1]" and mul_grad.blanks[3].answer.expression == "1×4 = 4"
    for block in questions(trace, plan, tmp_path):
        assert named_off_the_page(trace, block) == set(), block[:80]


def test_a_blank_that_reads_a_grid_too_large_to_print_is_no_exercise():
    trace = run("transformer_block")
    step = trace.step(LN_BACKWARD)
    w = explain(trace, step, (1, 0), output=0, minus="−", parts=True)
    page = set(step.inputs + step.outputs)
    assert for_page(trace, w, page, side=8)[1] != []
    assert for_page(trace, w, page, side=2) is None  # dresid_post′ is 4×3


@needs_poppler
def test_the_keys_answers_stand_clear_of_their_corner_letters(tmp_path):
    """In the answer key a filled box keeps its letter in the corner; the answer beside it starts
    right of the letter ("u −1", not "u−1" read as one word). Word boxes from pdftotext -bbox: a
    letter is small (about 5.6 pt high), a number is not (about 9.3 pt)."""
    trace = run("autoencoder")
    plan = plan_sheet(trace, "0..29", 0.3, 0)
    out = tmp_path / "s.pdf"
    out.write_bytes(sheet_pdf(plan))
    html = subprocess.run(["pdftotext", "-bbox", str(out), "-"], capture_output=True, text=True, check=True).stdout
    pages = html.split(">Answer<", 1)[1].split("<page ")
    seen = 0
    for page in pages:  # positions are a page's own
        words = [(float(a), float(b), float(c), float(d), w) for a, b, c, d, w in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', page)]
        letters = [w for w in words if w[3] - w[1] < 7 and re.fullmatch(r"[a-z]{1,2}", w[4])]
        for x0, y0, x1, y1, letter in letters:
            beside = [w for w in words if w[3] - w[1] > 8 and w[1] < y1 and w[3] > y0 and w[2] > x1 and w[0] < x0 + 30]
            number = min(beside, key=lambda w: w[0])
            assert number[0] >= x1, (letter, number[4], x1, number[0])
            seen += 1
    assert seen == sum(len(e.blanks) for e in plan.exercises)


@needs_poppler
def test_each_page_says_at_its_foot_whether_it_is_the_sheet_or_the_key(tmp_path):
    trace = run("autoencoder")
    out = tmp_path / "s.pdf"
    out.write_bytes(sheet_pdf(plan_sheet(trace, "0..4", 0.3, 0)))
    pages = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True,
                           check=True).stdout.split("\f")
    feet = [page.strip().splitlines()[-1].strip() for page in pages if page.strip()]
    assert feet == ["Exercise sheet · Autoencoder 4 → 3 → 2 → 3 → 4 · page 1",
                    "Answer key · Autoencoder 4 → 3 → 2 → 3 → 4 · page 2"]
