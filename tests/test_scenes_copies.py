"""A far operand is drawn again beside an output only when that output reads it.

A step with several outputs works each one beside the operands it reads, drawing again those that
are far (:func:`scenes.near.bring`). The generic player drew again, beside each output, every input
of the step that was far from it: gradient_through_time's GRU chapter worked dhidden = dkept ⊙
(1 − u) beside a second copy of hidden, which only done_minus_update = dkept ⊙ hidden reads (and
its LSTM chapter dcell_tanh = dhidden ⊙ output_gate beside a copy of cell_tanh). A learner saw an
operand that plays no part in the result.

Each walkthrough is laid out headless (its last beat as a still, every beat before skipped: the
players place their grids as in the video) with every copy drawn beside an output recorded. An
output reads what its working names (:func:`tracer.explain.explain`), and a composite shown
collapsed what its parts take in; an op that moves entries (a gather's table, a where's condition),
or whose working is the bare value (a concat's gradient), may read any input.
"""
from __future__ import annotations

import pytest

pytest.importorskip("manim")

from scenes.curated import build_plan  # noqa: E402
from scenes.players import gradients  # noqa: E402
from scenes.render import render_scene  # noqa: E402
from tracer.explain import explain  # noqa: E402
from tracer.ops.spec import family_of  # noqa: E402

from .example_runs import run  # noqa: E402
from .test_scenes_operands import QUICK, SLOW  # noqa: E402


def copies_beside_outputs(name: str, folder, monkeypatch) -> tuple[object, list[tuple]]:
    """Lay ``name``'s walkthrough out; every copy drawn beside an output of the step being played,
    as (step, output index, tensor id of the copy)."""
    made: list[tuple] = []
    real = gradients.bring   # the players reach scenes.near.bring through here

    def recording(stage, tids, grids):
        new = real(stage, tids, grids)
        step = stage.step
        outs = [g.record.id for g in grids if g is not None and g.record.id in (step.outputs if step else ())]
        made.extend((step, step.outputs.index(o), g.record.id) for o in outs[:1] for g in new)
        return new
    monkeypatch.setattr(gradients, "bring", recording)
    trace = run(name)
    plan = build_plan(trace)
    render_scene(plan, plan.window, folder / f"{name}.png", "l", still=True)
    return trace, made


def reads(trace, step, k: int) -> set[str]:
    """What output ``k`` of ``step`` is worked from (see the module's docstring)."""
    cell = (0,) * len(trace.tensors[step.outputs[k]].shape)
    working = explain(trace, step, cell, output=k)
    moves = step.grad_of is None and family_of(step.op) == "structural"
    if moves or working.expression == working.text or not working.reads:
        return set(step.inputs)
    out = {t for t, _ in working.reads}
    todo = list(trace.children(step))
    while todo:
        part = todo.pop()
        out |= set(part.inputs)
        todo += trace.children(part)
    return out


def unread_copies(trace, made) -> list[str]:
    return [f"{step.name}: {trace.tensors[tid].name} beside {trace.tensors[step.outputs[k]].name}"
            for step, k, tid in made if tid not in reads(trace, step, k)]


def test_the_grus_dhidden_is_not_worked_beside_a_copy_of_hidden(tmp_path, monkeypatch):
    """gradient_through_time: kept = (1 − u) ⊙ h, shown by the generic player (its forward step
    told fast). dhidden is worked beside no copy of h, which it does not read; the LSTM's
    dcell_tanh beside no copy of cell_tanh. (Each gradient was worked beside a copy of dkept,
    drawn 6 to 9 units back; it is whole in the view the camera stands in, so it is read where
    it is drawn now: :func:`scenes.near.seen`.)"""
    trace, made = copies_beside_outputs("gradient_through_time", tmp_path, monkeypatch)
    kept = trace.step("gru.t19.kept.grad")
    mine = {(k, trace.tensors[t].name) for step, k, t in made if step is kept}
    # dkept is read where it is drawn, in view (a copy is drawn of an operand out of view: the
    # GRU's h, tests/test_scenes_near.py)
    assert (0, "dkept") not in mine, sorted(mine)
    assert (1, "h₁₉") not in mine, sorted(mine)   # h₁₉: the state timestep 20's kept reads
    assert not unread_copies(trace, made)


@pytest.mark.slow
@pytest.mark.parametrize("name", [n for n in QUICK + SLOW if n != "gradient_through_time"])
def test_no_output_is_worked_beside_a_copy_it_does_not_read(name, tmp_path, monkeypatch):
    trace, made = copies_beside_outputs(name, tmp_path, monkeypatch)
    assert not unread_copies(trace, made)
