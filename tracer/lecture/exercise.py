"""What goes on an exercise sheet, as plain data: the steps to work by hand, where each grid sits,
which computed cells are left blank (chosen by a seed), each blank's hint and its worked answer.

Every number is a trace value as printed by the one rule (:class:`tracer.explain.numbers.Numbers`)
and every working comes from :func:`tracer.explain.explain`, so the answer key adds up line by
line exactly as the stepper and the walkthrough do. Nothing here draws; :mod:`.sheet` lays it out.

>>> import tracer
>>> with tracer.record() as trace:
...     W = tracer.tensor([[1, 2], [0, 1]], name="W")
...     Z = tracer.matmul(W, tracer.tensor([[3], [4]], name="X"), name="Z")
...     H = tracer.relu(Z - 5, name="H")
>>> plan = plan_sheet(trace, blanks=0.5, seed=1)
>>> names = lambda tids: [trace.tensors[t].name for t in tids]
>>> [(e.step.name, names(e.left), names(e.top)) for e in plan.exercises][:1]
[('Z', ['W'], ['X'])]
>>> b = plan.exercises[0].blanks[0]
>>> b.label, b.hint, b.answer.expression
('a', 'W[0, :]·X[:, 0]', '1×3 + 2×4 = 11')
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..errors import TracerError
from ..explain import Working, explain, number_view
from ..explain.numbers import Index, Numbers
from ..i18n import check_language
from ..label_names import in_language
from ..notation import true_minus
from ..ops.spec import family_of
from ..safetext import ascii_int
from ..story import Story
from ..trace import Step, Trace
from .given import for_page
from .words import step_formula

MAX_SIDE = 8          # a grid taller or wider than this is not worked by hand
MAX_EXERCISES = 24    # a longer range is cut, with a note saying how to choose fewer
DEFAULT_STEPS = 6     # without a story: the first few steps that fit


@dataclass(frozen=True)
class Blank:
    """One empty box: output ``output`` of the step at ``index``, its label, hint and answer."""

    tensor: str
    index: Index
    label: str
    hint: str
    answer: Working


@dataclass
class Exercise:
    """One step on the sheet: the tensors left of the result (weights), above it (inputs), its
    results, the blanks among the results' cells, and the other grids their hints read (a part's
    contributions, a forward operand: :mod:`.given`), printed beside the questions."""

    step: Step
    left: list[str]
    top: list[str]
    results: list[str]
    blanks: list[Blank] = field(default_factory=list)
    given: list[str] = field(default_factory=list)

    def shown(self) -> list[str]:
        """Every grid the questions' page prints for this step."""
        return list(dict.fromkeys(self.left + self.top + self.results + self.given))


@dataclass
class SheetPlan:
    trace: Trace
    lang: str
    share: float
    seed: int
    exercises: list[Exercise]
    numbers: Numbers
    left_out: list[Step] = field(default_factory=list)
    cut: int = 0          # steps of the range beyond MAX_EXERCISES

    def blank_cells(self) -> set[tuple[str, Index]]:
        """Every blank as ``(tensor id, index)``: a blank result stays blank where a later step reads it."""
        return {(b.tensor, b.index) for e in self.exercises for b in e.blanks}

    def text(self, tid: str, index: Index) -> str:
        """A cell as every viewer prints it."""
        return self.numbers.text(tid, index)


def plan_sheet(trace: Trace, steps: str | None = None, blanks: float = 0.3, seed: int = 0,
               lang: str = "en") -> SheetPlan:
    """Choose the steps of ``steps`` (``"A..B"``, ids or names) that fit by hand and the blanks.

    Raises
    ------
    TracerError
        A bad range, an unknown step, ``blanks`` outside 0..1, or nothing small enough to work.
    """
    lang = check_language(lang)
    trace = in_language(trace, lang)   # the grids' rows and columns named in lang, on the sheet and the key
    if not (isinstance(blanks, (int, float)) and 0.0 <= blanks <= 1.0) or math.isnan(blanks):
        raise TracerError(f"--blanks {blanks}: give a share of the computed cells between 0 and 1")
    if not trace.steps:
        raise TracerError("the trace has no steps to put on a sheet")
    lo, hi = parse_range(trace, steps) if steps else default_range(trace)
    fit, left_out = workable(trace, lo, hi)
    if not fit:
        where = f"--steps {steps}" if steps else f"steps {lo}..{hi} (the default)"
        raise TracerError(f"{where}: no step is small enough to work by hand (at most {MAX_SIDE}×{MAX_SIDE} "
                          "cells per grid): choose others with --steps")
    if not steps:
        fit = fit[:DEFAULT_STEPS] if trace.meta.get("story") is None else fit
    cut = max(0, len(fit) - MAX_EXERCISES)
    numbers = number_view(trace, minus="−")
    plan = SheetPlan(trace, lang, float(blanks), seed, [], numbers, left_out, cut)
    rng = np.random.default_rng(seed)
    labels = iter(_labels())
    for s in fit[:MAX_EXERCISES]:
        ex = arrange(trace, s)
        ex.blanks = choose_blanks(trace, ex, blanks, rng, labels, lang)
        plan.exercises.append(ex)
    return plan


def parse_range(trace: Trace, spec: str) -> tuple[int, int]:
    """``"3..7"``, ``"3.."``, ``"..7"``, ``"5"`` or step names (``"Z1..H2"``) → inclusive ids."""
    text = str(spec).strip()
    a, sep, b = text.partition("..")
    last = len(trace.steps) - 1
    lo = _end(trace, a, spec, 0)
    hi = _end(trace, b, spec, last) if sep else lo
    if hi < lo:
        raise TracerError(f"--steps {spec!r}: the range runs backwards ({lo} > {hi})")
    return lo, hi


def _end(trace: Trace, key: str, spec: str, default: int) -> int:
    key = key.strip()
    if not key:
        return default
    try:
        return trace.step(ascii_int(key)).id
    except ValueError:
        pass
    except TracerError as e:
        raise TracerError(f"--steps {spec!r}: {e}") from None
    try:
        return trace.step(key).id
    except TracerError as e:
        raise TracerError(f"--steps {spec!r}: {e}") from None


def default_range(trace: Trace) -> tuple[int, int]:
    """The first chapter the story works in full that holds a step to work by hand, or the whole trace."""
    story = Story.from_meta(trace.meta)
    full = [c for c in story.chapters if c.play == "full"] if story else []
    last = len(trace.steps) - 1
    for chapter in full:
        lo, hi = min(chapter.steps[0], last), min(chapter.steps[1], last)
        if workable(trace, lo, hi)[0]:
            return lo, hi
    return 0, last


def workable(trace: Trace, lo: int, hi: int) -> tuple[list[Step], list[Step]]:
    """The steps of ``lo..hi`` to work by hand and those left out: a composite too large to work
    (an attention over a wide embedding) gives way to its parts that fit (the 3×3 scores)."""
    fit: list[Step] = []
    left_out: list[Step] = []

    def visit(step: Step) -> None:
        if fits(trace, step):
            fit.append(step)
            return
        before = len(fit)
        for kid in trace.children(step):
            visit(kid)
        if len(fit) == before:
            left_out.append(step)

    for step in trace.steps[lo:hi + 1]:
        if step.parent is None or not lo <= step.parent <= hi:
            visit(step)
    return fit, left_out


def fits(trace: Trace, step: Step) -> bool:
    """Every grid of the step is at most two-dimensional and :data:`MAX_SIDE` on each side."""
    tids = step.inputs + step.outputs
    return all(t in trace.tensors and len(trace.tensors[t].shape) <= 2
               and all(n <= MAX_SIDE for n in trace.tensors[t].shape) for t in tids) and bool(step.outputs)


def arrange(trace: Trace, step: Step) -> Exercise:
    """The by-hand layout: for a product the weights left of the result and the input above it
    (the bias beside the weights); for anything else the inputs above the results."""
    inputs = [t for t in dict.fromkeys(step.inputs) if t in trace.tensors]
    if step.phase == "forward" and family_of(step.op) in ("contraction", "layer") and len(inputs) >= 2 \
            and len(trace.tensors[inputs[0]].shape) == 2:
        W, X, rest = inputs[0], inputs[1], inputs[2:]
        return Exercise(step, [W] + rest, [X], list(step.outputs))
    return Exercise(step, [], inputs, list(step.outputs))


def choose_blanks(trace: Trace, ex: Exercise, share: float, rng: np.random.Generator,
                  labels, lang: str) -> list[Blank]:
    """``share`` of each result's cells (at least one when ``share`` > 0), drawn by ``rng``; the
    grids their hints read beyond the step's own go to ``ex.given``."""
    out, step = [], ex.step
    page = set(ex.left + ex.top + ex.results)
    for k, tid in enumerate(ex.results):
        shape = tuple(trace.tensors[tid].shape)
        cells = list(np.ndindex(*shape)) if shape else [()]
        n = min(len(cells), max(1 if share > 0 else 0, int(math.floor(share * len(cells) + 0.5))))
        for pick in sorted(rng.choice(len(cells), size=n, replace=False).tolist()):
            index = tuple(int(i) for i in cells[pick])
            try:
                # (a composite's part's working, whatever it reads: for_page prints those grids beside)
                w = explain(trace, step, index, output=k, minus="−", lang=lang, parts=True)
            # a file's numbers may overflow a float (1e154²): a cell with no working is no exercise
            except (TracerError, KeyError, IndexError, ValueError, ArithmeticError, TypeError):
                continue
            shown = for_page(trace, w, page, MAX_SIDE)
            if shown is None:
                continue  # it reads a grid too large to print beside it
            w, need = shown
            ex.given.extend(t for t in need if t not in ex.given)
            out.append(Blank(tid, index, next(labels), hint(trace, w, step, lang), w))
    return out


def hint(trace: Trace, w: Working, step: Step, lang: str = "en") -> str:
    """The working's formula (else the step's, in ``lang``); one that names whole tensors
    (``max(0, Z1)``, ``Q = W_Q · X``) also says which cells it reads (``← W_Q[1, :], X[:, 0]``); a
    number in it is signed ``−``, as the answers' are (``reshape(b1, [−1, 1])``, not the trace's
    ``[-1, 1]``)."""
    formula = true_minus(w.formula) if w.formula else step_formula(trace, step, lang)
    head, eq, rest = formula.partition(" = ")
    if eq and "[" not in head and " " not in head.strip():  # "Q = W_Q · X": the cell's name stands left
        formula = rest
    if "[" in formula or not w.reads:
        return formula
    spans = {t: read_span(trace, t, cells) for t, cells in _by_tensor(w.reads).items()}
    if len(spans) == 1 and len(w.terms) > 1 and formula.strip() == trace.tensors[next(iter(spans))].name:
        return f"Σ {next(iter(spans.values()))}"  # a bias's gradient, a row added up: not "dZ4 ← dZ4[0, :]"
    return f"{formula}  ← {', '.join(spans.values())}"


def _by_tensor(reads) -> dict[str, list[Index]]:
    out: dict[str, list[Index]] = {}
    for t, index in reads:
        if index not in out.setdefault(t, []):
            out[t].append(index)
    return out


def read_span(trace: Trace, tid: str, cells: list[Index]) -> str:
    """The cells of ``tid`` a working reads, short: ``X[:, 0]`` (a column), ``W[1, :]`` (a row),
    ``Z[0, 1]`` (one cell), or the tensor's name for anything else."""
    shape = tuple(trace.tensors[tid].shape)
    name = trace.tensors[tid].name
    if len(cells) == 1:
        return cell_name(trace, tid, cells[0])
    if len(shape) == 2 and len({c[0] for c in cells}) == 1 and len(cells) == shape[1]:
        return f"{name}[{cells[0][0]}, :]"
    if len(shape) == 2 and len({c[1] for c in cells}) == 1 and len(cells) == shape[0]:
        return f"{name}[:, {cells[0][1]}]"
    return name


def _labels():
    """a, b, …, z, aa, ab, …: short enough to sit in a box's corner."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    n = 1
    while True:
        for k in range(len(letters) ** n):
            word, m = "", k
            for _ in range(n):
                word, m = letters[m % 26] + word, m // 26
            yield word
        n += 1


def cell_name(trace: Trace, tid: str, index: Index) -> str:
    """``Z1[0, 1]`` (``loss`` for a single number)."""
    name = trace.tensors[tid].name
    return f"{name}[{', '.join(map(str, index))}]" if index else name
