"""Every number drawn adds up: a reader who redoes a softmax row, a loss or a layer norm from the
numbers DRAWN (the grids of the video, the grids ``tracer show`` prints) gets the result drawn
(to half its last drawn place: :mod:`tracer.explain.digits` draws the digits that takes).

The cells' texts are read back from what was drawn (the stage's audit of every grid at the end of
the step; the plain text of ``tracer show``), never from the trace.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import tracer

pytest.importorskip("manim")

from scenes.curated import build_plan  # noqa: E402
from scenes.render import render_scene  # noqa: E402
from tracer.explain import spread  # noqa: E402
from tracer.explain.arith import half_ulp, number_value  # noqa: E402
from tracer.explain.check import check_line  # noqa: E402
from tracer.examples import run_example  # noqa: E402
from tracer.stepview import step_view  # noqa: E402
from tracer.textview import plain  # noqa: E402

FPS = 4


@pytest.fixture(scope="module")
def traces():
    return {name: run_example(name) for name in ("self_attention", "transformer_block")}


def value(text: str) -> float:
    return -number_value(text.lstrip("-−")) if text[:1] in "-−" else number_value(text)


def gives(got: float, drawn: str) -> bool:
    """``got``, redone from drawn numbers, shows as ``drawn`` (within half its last drawn place)."""
    return abs(got - value(drawn)) <= half_ulp(drawn.lstrip("-−")) * (1 + 1e-9)


def drawn(trace, step_id: int, tmp_path: Path):
    """Render one step (low quality, few frames: the lines it says are kept); what each grid drew at
    its end, by tensor: {index: text}, and the stage (its ``said``: every work line shown)."""
    plan = build_plan(trace, steps=f"{step_id}..{step_id}", story=False)   # the step, whatever the story shows
    plan.hints["audit"] = True
    stage = render_scene(plan, plan.window, tmp_path / "step.mp4", "l", FPS, still=False).stage
    out: dict[str, dict] = {}
    for shown in stage.audits:
        for tid, lane, idx, text, _ in shown:
            if lane == "value" and text is not None:
                out.setdefault(tid, {})[tuple(idx)] = text
    return out, stage


def softmax_adds_up(e: dict, s: dict, p: dict) -> None:
    """Each row's drawn e^x add up to its drawn Σ, each drawn probability is drawn e^x / drawn Σ."""
    assert e and s and p
    for (r, c), text in p.items():
        row = [t for (i, _), t in e.items() if i == r]
        total = s[(r, 0)]
        assert gives(sum(map(value, row)), total), (row, total)
        assert gives(value(e[(r, c)]) / value(total), text), (e[(r, c)], total, text)


def test_the_softmax_drawn_adds_up(traces, tmp_path):
    trace = traces["self_attention"]
    step = trace.step("attn.weights")
    parts = trace.parts(step)
    cells, _ = drawn(trace, step.id, tmp_path)
    softmax_adds_up(cells[parts["exp"].outputs[0]], cells[parts["sum"].outputs[0]], cells[step.outputs[0]])


def squares_that_round_up() -> tracer.Trace:
    """A loss whose four squares, 0.093025 each, drawn at two decimals (0.09) add up to 0.36, not
    the 0.37 the loss is drawn."""
    W = tracer.param([[0.305]], name="W")
    with tracer.record() as trace:
        Y = tracer.matmul(W, tracer.tensor([[1.0, 1.0, 1.0, 1.0]], name="X"), name="Y")
        tracer.sse(Y, tracer.tensor([[0.0, 0.0, 0.0, 0.0]], name="T"), name="L").backward()
    return trace


def test_the_loss_drawn_adds_up(tmp_path):
    trace = squares_that_round_up()
    step = trace.step("L")
    cells, stage = drawn(trace, step.id, tmp_path)
    squares, loss = cells[trace.parts(step)["squared"].outputs[0]], cells[step.outputs[0]][()]
    assert gives(sum(map(value, squares.values())), loss), (squares, loss)
    total = [line for line in stage.said if line.endswith(f"= {loss}") or line.endswith(f"≈ {loss}")]
    assert total and not check_line(total[-1])[0], stage.said


def test_the_layer_norm_is_redone_from_what_is_drawn(traces, tmp_path):
    trace = traces["transformer_block"]
    step = trace.step("blocks.0.ln1")
    parts = trace.parts(step)
    cells, stage = drawn(trace, step.id, tmp_path)
    x, mu = cells[step.inputs[0]], cells[parts["mean"].outputs[0]]
    for (j,), text in [((c,), t) for (_, c), t in mu.items()]:   # μ of each column: its drawn cells' mean
        column = [t for (_, k), t in x.items() if k == j]
        assert gives(sum(map(value, column)) / len(column), text), (column, text)
    lines = [line for line in stage.said if line.startswith("x − μ = ")]
    assert lines, stage.said
    for line in lines:
        segments = line.split(";  ")
        assert all(not check_line(s)[0] for s in segments), line
        centred = segments[0].removeprefix("x − μ = ").split(" = ")[0]
        a, b = centred.split(" − ", 1)
        assert a in x.values() and b.strip("()") in mu.values(), (line, x, mu)   # the numbers drawn
        assert any(s.startswith("γ·x̂ + β = ") and "×" in s and " + " in s.split(" = ")[1] for s in segments), line
    # σ's line is the explanation layer's (σ², then σ), not one the player writes itself
    spreads = [line for line in stage.said if line.startswith("σ² = ")]
    assert spreads, stage.said
    written = {";  ".join(spread(trace, step, (r, c), minus="−").lines)
               for r, c in np.ndindex(*trace.tensors[parts["std"].outputs[0]].shape)}
    assert set(spreads) <= written, (spreads, written)


def grid_cells(lines: list[str], name: str) -> list[list[str]]:
    """The rows of numbers of grid ``name`` in plain ``tracer show`` text (labels dropped)."""
    at = next(k for k, line in enumerate(lines) if line.startswith(f"{name} ("))
    rows = []
    for line in lines[at + 1:]:
        words = line.split()
        if not line.startswith("  ") or not words:
            break
        numbers = [w for w in words if w.lstrip("-−").replace(".", "", 1).isdigit()]
        if numbers:
            rows.append(numbers)
    return rows


@pytest.mark.parametrize("part", ["sum", "probs"])
def test_show_prints_softmax_rows_that_add_up(traces, part):
    trace = traces["self_attention"]
    parts = trace.parts(trace.step("attn.weights"))
    lines = plain(step_view(trace, parts[part], color=False)).splitlines()
    e = grid_cells(lines, trace.tensors[parts["exp"].outputs[0]].name)
    s = grid_cells(lines, trace.tensors[parts["sum"].outputs[0]].name)
    assert len(e) == len(s) == 4
    for row, (total,) in zip(e, s):
        assert gives(sum(map(value, row)), total), (row, total)
    if part == "probs":
        p = grid_cells(lines, trace.tensors[parts["probs"].outputs[0]].name)
        for erow, (total,), prow in zip(e, s, p):
            assert all(gives(value(a) / value(total), q) for a, q in zip(erow, prow)), (erow, total, prow)
