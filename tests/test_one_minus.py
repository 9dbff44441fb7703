"""One minus sign on a line: what the video, the slides and the exercise sheets print writes every
minus ``−`` (U+2212), a number's sign and its power of ten's alike. A worked line used to read
``0.30 + 1.00e-05`` or ``−0.04 − (−0.03) ≈ −6.94e-18`` (a true minus beside a hyphen), a sheet's
hint ``reshape(b1, [-1, 1])`` beside answers signed ``−``. The terminal keeps ASCII (``minus="-"``).

A hyphen is read as a minus by the tokens :mod:`tracer.explain.arith` reads a line with: inside a
number (``1e-05``) or before one, unless a word stands right before it (``t-1`` is a label)."""
from __future__ import annotations

import random
import shutil
import subprocess

import numpy as np
import pytest

from tracer.explain import explain
from tracer.explain.arith import is_number, tokens
from tracer.lecture import plan_sheet
from tracer.lecture.slides import build_deck

from .example_runs import swept
from .example_runs import NAMES, run

CELLS = 2   # per output of a step: its first cell and one drawn at random (a few seconds in all)


def hyphen_minuses(line: str) -> list[str]:
    """The ASCII hyphens of ``line`` used as a minus sign, each with the number it signs."""
    toks = tokens(line)
    found = [t for t in toks if is_number(t) and "-" in t]   # a power of ten: 1.00e-05
    for k, t in enumerate(toks[:-1]):
        after_word = k > 0 and toks[k - 1].isalpha()
        if t == "-" and is_number(toks[k + 1]) and not after_word:
            found.append(t + toks[k + 1])
    return found


def test_a_hyphen_is_told_from_a_minus_and_a_label():
    assert hyphen_minuses("−0.14×(-2) + 0.30 + 1.00e-05 ≈ −6.94e−18") == ["1.00e-05", "-2"]
    assert hyphen_minuses("−0.14×(−2) + 1.00e−05 = 0.30") == []
    assert hyphen_minuses("h_t-1 = attn.Q[0, 1] − 2") == []
    assert hyphen_minuses("2-1 = 1") == ["-1"]


def cells(trace, step, rng: random.Random) -> list[tuple[int, tuple[int, ...]]]:
    out = []
    for k, tid in enumerate(step.outputs):
        shape = tuple(trace.tensors[tid].shape)
        if trace.tensors[tid].size == 0 or sum(trace.tensors[t].size for t in step.inputs) > 1 << 20:
            continue
        picks = {(0,) * len(shape)} | {tuple(rng.randrange(n) for n in shape) for _ in range(CELLS - 1)}
        out += [(k, c) for c in sorted(picks)]
    return out


@pytest.mark.parametrize("name", swept(NAMES))
def test_every_working_line_of_an_example_signs_with_one_minus(name):
    trace = run(name)
    rng = random.Random(name)
    lines, hyphens = 0, []
    for step in trace.steps:
        for k, cell in cells(trace, step, rng):
            for line in explain(trace, step, cell, output=k, minus="−").lines:
                lines += 1
                hyphens += [f"{step.name} {cell}: {line}" for _ in hyphen_minuses(line)[:1]]
    assert lines > 0
    assert not hyphens, hyphens[:5]


def test_the_terminal_keeps_ascii():
    trace = run("transformer_block")
    step = next(s for s in trace.steps if s.name.endswith("ln1.var_eps"))
    line = explain(trace, step, (0, 0), minus="-").lines[-1]
    assert "e-05" in line and "−" not in line, line


LECTURE = ["sparse_autoencoder", "word_autoencoder", "transformer_block"]


def _signed_once(texts: list[str]) -> None:
    hyphens = [t for t in texts if hyphen_minuses(t)]
    assert not hyphens, hyphens[:5]
    assert any("−" in t for t in texts), "no negative number to sign: the check would prove nothing"


@pytest.mark.parametrize("name", LECTURE)
def test_a_decks_notes_sign_every_number_with_one_minus(name):
    """The trace's formula and narration (sparse_autoencoder reshapes to [-1, 1]) and the working
    (word_autoencoder's Adam works numbers like −3.92e−05, transformer_block's layer norm adds
    eps 1e−05), as the notes print them."""
    deck = build_deck(run(name))
    _signed_once([line for s in deck.slides for line in s.notes("en").splitlines()] + [deck.question, deck.recap])


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (make system)")
@pytest.mark.parametrize("name", LECTURE)
def test_an_exercise_sheet_signs_every_number_with_one_minus(name, tmp_path):
    """The sheet as printed: each step's formula and narration, the hints, the grids, the answer key."""
    pytest.importorskip("fpdf")
    from tracer.lecture import sheet_pdf
    plan = plan_sheet(run(name), "0..", blanks=1.0)
    pdf = tmp_path / "sheet.pdf"
    pdf.write_bytes(sheet_pdf(plan))
    printed = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    _signed_once(printed.splitlines())


def test_numbers_with_one_minus_still_add_up():
    """The arithmetic checker reads a power of ten signed ``−`` (what the lines now write)."""
    from tracer.explain.check import check_line
    assert check_line("0.30 + 1.00e−05 = 0.30") == ([], ["0.30"])
    assert check_line("−0.04 − 0.00 − (−0.04) ≈ −6.94e−18")[0] == []
    assert check_line("0.000883×(−0.15) = −1.32e−04")[0] == []
    assert np.isclose(float(check_line("1 − 0.1×(−2.5e−07) = 1.00")[1][0]), 1.0)
