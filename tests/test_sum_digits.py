"""Every sum drawn adds up as drawn, or says ≈: a gradient's shares added (``dx = dx′ + dx″``), an
update ``W − η×dW`` and a forward add of two grids are drawn with the decimals that make each cell
add up (:func:`tracer.explain.digits.sum_decimals`), in every viewer alike, and a cell no decimals
make add up says ``≈`` (:func:`tracer.explain.numbers.settle_drawn`).
"""
from __future__ import annotations

import pytest

import tracer
from tracer.explain import explain, tensor_format
from tracer.explain.check import check_line
from tracer.stepview import step_view
from tracer.textview import plain

from .example_runs import NAMES, run, swept
from .sum_sweep import unsound

KINDS = ("share", "update", "add")   # what the sweep judges (a composite's part and a number in
                                     # scientific notation are counted apart, see tests/sum_sweep.py)


def shared(first: float, second: float) -> tuple[tracer.Trace, tracer.Step]:
    """x fed two ops, ``x·first`` and ``x·second``: its gradient's shares are ``first`` and
    ``second``, added in an accumulate step."""
    with tracer.record() as trace:
        x = tracer.param([1.0], name="x")
        y = tracer.mul(x, first, name="a") + tracer.mul(x, second, name="b")
        y.sum().backward()
    return trace, next(s for s in trace.steps if s.op == "accumulate")


def test_two_shares_that_need_three_decimals():
    # at two decimals −0.03 + −0.34 = −0.37, and the sum −0.364 is drawn −0.36; at three they add up
    trace, step = shared(-0.3372, -0.0268)
    assert [tensor_format(trace, t).decimals for t in step.inputs + step.outputs] == [3, 3, 3]
    working = explain(trace, step, (0,), minus="−")
    assert working.lines == ("−0.027 − 0.337 = −0.364",) and not working.approx
    shown = plain(step_view(trace, step, color=False))   # tracer show draws the grids alike
    assert all(f"\n  {v}\n" in shown for v in ("-0.027", "-0.337", "-0.364")), shown


def test_two_shares_no_decimals_make_add_up_say_approx():
    # 0.0444… + 0.0444… = 0.0888…: drawn at 2 to 5 decimals, the shares always give one less in
    # the last place (0.04 + 0.04 = 0.08, 0.09 drawn; 0.04444 + 0.04444 = 0.08888, 0.08889 drawn)
    trace, step = shared(0.4 / 9, 0.4 / 9)
    assert [tensor_format(trace, t).decimals for t in step.inputs + step.outputs] == [2, 2, 2]
    working = explain(trace, step, (0,), minus="−")
    assert working.lines == ("0.04 + 0.04 ≈ 0.09",) and working.approx
    assert not check_line(working.expression)[0]   # within one in the last place: what ≈ means


@pytest.mark.parametrize("name", swept([n for n in NAMES if n != "minilm"]))
def test_every_sum_adds_up_as_drawn(name):
    bad = unsound(run(name))
    assert not any(bad[k] for k in KINDS), dict(bad)
