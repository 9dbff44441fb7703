"""Adam's working, readable at 480p (issue 9): the new weight is worked from the new m and v the
same step wrote (shown, and worked, first), so its line is ``W − η×m/(1 − β₁ᵗ) / (√(v/(1 − β₂ᵗ)) + ε)``
with numbers — about half as long as the line that rebuilt m and v inside it — and still redone
exactly from its printed numbers."""
from __future__ import annotations

import numpy as np

import tracer
from tracer.explain import explain
from tracer.explain.check import check_line
from tracer.explain.working import reads_outputs


def adam_trace() -> tracer.Trace:
    W = tracer.param(np.array([[0.11, -0.57], [0.34, 1.43]]), name="W1")
    opt = tracer.Adam([W], lr=0.01)
    with tracer.record() as trace:
        for _ in range(3):   # t = 3: m and v no longer 0, the bias correction not 1 − β
            opt.zero_grad()
            (W * W * np.array([[30.0, -4.0], [0.5, 200.0]])).sum().backward()
            opt.step()
    return trace


def test_the_new_weight_is_worked_from_the_new_m_and_v_on_one_short_line():
    trace = adam_trace()
    step = trace.phase("update")[-1]
    W, m, v = step.outputs
    for cell in [(0, 0), (0, 1), (1, 0), (1, 1)]:
        for minus, lang in (("-", "en"), ("−", "zh-Hant")):
            w = explain(trace, step, cell, output=0, minus=minus, lang=lang)
            assert len(w.lines) == 1 and len(w.expression) <= 90, w.expression
            assert (m, cell) in w.reads and (v, cell) in w.reads            # the new m and v ...
            assert step.inputs[2] not in {t for t, _ in w.reads}            # ... not the old
            assert check_line(w.expression) == ([], [w.text]), w.expression  # redone as printed


def test_the_m_and_v_lines_stay_as_they_were_and_come_first():
    trace = adam_trace()
    step = trace.phase("update")[-1]
    assert reads_outputs("adam") == [1, 2] and reads_outputs("rmsprop") == [] and reads_outputs("sgd") == []
    m = explain(trace, step, (0, 0), output=1, minus="-")
    assert "0.9×" in m.expression and check_line(m.expression)[0] == []
