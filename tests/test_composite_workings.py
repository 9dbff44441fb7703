"""A composite's backward cell is worked from numbers a reader can see.

A composite (an L2 norm, an L1 penalty, a linear layer, attention) is shown collapsed: its
inputs, its outputs and their gradients are drawn, its parts' tensors are not. Its gradient cell
reads its own closed form (``g×x / ‖x‖``) or a part's working whose every number is drawn (named
as drawn: ``dZ``, not the product's ``dmatmul``), or shows its value alone. Swept over every
built-in example; hand-computed cells for the closed forms.
"""
from __future__ import annotations

import re

import numpy as np
import pytest

import tracer
from tracer.explain import explain
from tracer.explain.arith import number_value, numbers_in, rounds_to
from tracer.explain.check import check_line
from tracer.explain.lines import parse_line
from tracer.explain.shown import on_view, written
from tracer.explain.working import cells_of

from .example_runs import NAMES, run, swept

CELLS = 4   # cells per gradient: the first, the last and two between (a seeded choice)
_ELIDED = re.compile(r"\[[^\]]*:[^\]]*\]")   # "[9 terms: 0.10]": the total of terms left out


def composite_grads(trace: tracer.Trace) -> list[tracer.Step]:
    return [s for s in trace.steps if s.phase == "backward" and s.grad_of is not None and trace.children(s)]


def sample(shape: tuple[int, ...], seed: int) -> list[tuple[int, ...]]:
    cells = list(np.ndindex(*shape))
    picked = np.random.default_rng(seed).choice(len(cells), size=min(2, len(cells)), replace=False)
    return list(dict.fromkeys([cells[0], cells[-1], *(cells[int(k)] for k in picked)]))[:CELLS]


def problems_of(trace: tracer.Trace, step: tracer.Step, index: tuple[int, ...], k: int) -> list[str]:
    """What a reader could not redo in the working of one gradient cell of a composite: a cell it
    reads that is drawn nowhere, a printed number that is no drawn cell's, a line that does not
    hold."""
    w = explain(trace, step, index, output=k)
    where = f"{step.name} {trace.tensors[step.outputs[k]].name}{list(index)}: {w.lines}"
    if w.lines == (w.text,):
        return []   # the value alone
    drawn = {*on_view(trace, step), *step.outputs}
    problems = [f"{where} reads {trace.tensors[t].name}, drawn nowhere"
                for t in dict.fromkeys(t for t, _ in w.reads) if t not in drawn and not written(trace, t)]
    values = [abs(float(trace.tensors[t].data[i])) for t, i in w.reads]   # (−6 added reads "- 6")
    results: list[str] = []
    cells = cells_of(trace, w)
    for line in w.lines:
        expression, totals = parse_line(line).expression, []
        for elided in _ELIDED.findall(expression):   # "[9 terms: 0.10]" reads as its total, 0.10
            total = elided.rsplit(":", 1)[1].strip(" ]").replace(" ", "")
            expression = expression.replace(elided, total)
            totals.append(abs(number_value(total)))
        for token in numbers_in(expression):
            v = abs(number_value(token))
            if not (any(rounds_to(x, token.lstrip("-−")) for x in values + totals) or token.lstrip("-−") in results
                    or (v == v and float(v).is_integer() and token.lstrip("-−") in w.formula + " 1 2")):
                problems.append(f"{where}: {token} is no cell it reads")
        found, printed = check_line(line, results, cells)
        problems += [f"{where}: {p}" for p in found]
        results += [r.lstrip("-−") for r in printed]
    return problems


@pytest.mark.parametrize("name", swept([n for n in NAMES if n != "minilm"]))
def test_composite_gradient_cells_read_drawn_numbers(name: str) -> None:
    trace = run(name)
    problems, worked = [], 0
    seen: set[tuple[str, str]] = set()
    for step in composite_grads(trace):
        if (step.op, step.name.split(".", 2)[-1]) in seen:
            continue   # the same layer in a later training step: the same working
        seen.add((step.op, step.name.split(".", 2)[-1]))
        for k, gid in enumerate(step.outputs):
            for index in sample(tuple(trace.tensors[gid].shape), step.id + k):
                found = problems_of(trace, step, index, k)
                problems += found
                worked += 1
    assert not problems, "\n".join(problems[:10])


def record_l2() -> tracer.Trace:
    with tracer.record() as trace:
        x = tracer.param([[3.0, 0.0], [4.0, 1.0]], name="x")
        n = tracer.l2_norm(x, axis=0, name="n")                        # [5, 1]
        (n * tracer.tensor([2.0, 1.0], name="c")).sum(name="L").backward()
    return trace


def test_l2_norm_cell_reads_g_x_over_the_norm() -> None:
    trace = record_l2()
    step = trace.step("n.grad")
    assert explain(trace, step, (0, 0)).lines == ("2×3 / 5 = 1.20",)   # dn = 2, x = 3, ‖x‖ = 5
    assert explain(trace, step, (1, 0)).lines == ("2×4 / 5 = 1.60",)
    assert explain(trace, step, (1, 1)).lines == ("1×1 / 1 = 1.00",)
    assert explain(trace, step, (0, 0)).formula == "dn×x / n"


def test_l2_norm_of_a_zero_row_shows_its_value_alone() -> None:
    # g×x / ‖x‖ is 0/0 there; the recorded gradient is 0 (the subgradient), and the part's working
    # would read dsquared, drawn nowhere
    with tracer.record() as trace:
        tracer.l2_norm(tracer.param([[0.0, 0.0]], name="z"), name="m").backward()
    assert explain(trace, trace.step("m.grad"), (0, 0)).lines == ("0",)


def test_l1_cells_read_sign_and_weight() -> None:
    with tracer.record() as trace:
        f = tracer.param([[2.0, -1.0, 0.0], [-3.0, 1.0, 0.0]], name="f")
        w = tracer.param([[0.5], [2.0]], name="w")
        tracer.l1(f, w, name="P").backward()
        tracer.l1(tracer.param([2.0, -1.0], name="h"), name="Q").backward()
    step = trace.step("P.grad")
    assert explain(trace, step, (1, 0)).lines == ("1×sign(-3)×2.00 = -2.00",)
    assert explain(trace, step, (0, 1)).lines == ("1×sign(-1)×0.50 = -0.50",)
    # the weight of a row: |f| of the row, each times dP, added up (2 + 1 + 0; 3 + 1 + 0)
    assert explain(trace, step, (0, 0), output=1).lines == ("1×|2| + 1×|-1| + 1×|0| = 3",)
    assert explain(trace, step, (1, 0), output=1).lines == ("1×|-3| + 1×|1| + 1×|0| = 4",)
    # without a weight, the optional ⟦×{weight}⟧ is left out
    unweighted = trace.step("Q.grad")
    assert explain(trace, unweighted, (1,)).lines == ("1×sign(-1) = -1",)
    assert explain(trace, unweighted, (1,)).formula == "dQ×sign(h)"


def test_binary_cross_entropy_cells_read_p_and_the_target() -> None:
    with tracer.record() as trace:
        p = tracer.param([0.8, 0.4], name="p")
        y = tracer.param([1.0, 0.0], name="y")
        tracer.binary_cross_entropy(p, y, name="B").backward()
    step = trace.step("B.grad")
    # (p − y) / (p(1 − p)) / n: −0.2 / 0.16 / 2 = −0.625, 0.4 / 0.24 / 2 = 0.833
    assert explain(trace, step, (0,)).lines == ("1×(0.80 − 1) / (0.80×(1 − 0.80)) / 2 = -0.62",)
    assert explain(trace, step, (1,)).lines == ("1×(0.40 − 0) / (0.40×(1 − 0.40)) / 2 = 0.83",)
    # (ln(1 − p) − ln p) / n: (ln 0.6 − ln 0.4) / 2 = 0.203
    assert explain(trace, step, (1,), output=1).lines == ("1×(ln(1 − 0.40) − ln 0.40) / 2 = 0.20",)


def test_a_linear_layer_names_the_gradient_it_shows() -> None:
    """The product's working reads the layer's dZ (its bias add passed it on unchanged), named dZ;
    db is the sum of dZ's row, not a copy of a bias column drawn nowhere."""
    with tracer.record() as trace:
        W = tracer.param([[1.0, 2.0], [0.0, -1.0]], name="W")
        X = tracer.tensor([[3.0, 1.0], [4.0, 2.0]], name="X")
        Z = tracer.linear(W, X, tracer.param([1.0, 0.0], name="b"), name="Z")
        (Z * tracer.tensor([[1.0, 2.0], [3.0, 4.0]], name="c")).sum(name="L").backward()
    step = trace.step("Z.grad")
    dW = explain(trace, step, (1, 0))
    assert dW.formula == "dZ[1, :]·X[0, :]" and dW.lines == ("3×3 + 4×1 = 13",)
    db = step.outputs.index(step.grad_map[trace.step("Z").inputs[2]])
    assert explain(trace, step, (1,), output=db).lines == ("3 + 4 = 7",)
    assert {trace.tensors[t].name for t, _ in dW.reads} == {"dZ", "X"}


def test_a_part_read_drawn_nowhere_leaves_the_value_alone() -> None:
    """Attention's dV reads the softmax weights, a part's output the collapsed step never draws."""
    trace = run("self_attention")
    step = next(s for s in composite_grads(trace) if s.op == "attention")
    w = explain(trace, step, (0, 0), output=2)
    assert w.lines == (w.text,) and w.reads == ()


def test_equal_numbers_are_not_a_passed_on_gradient() -> None:
    """With γ = 1 and β = 0 a layer norm's x̂ is its output y, and dx̂ = dy ⊙ γ holds dy's numbers:
    dγ = Σ dy ⊙ x̂ must not read as Σ dy ⊙ y (a wrong rule). x̂ is drawn nowhere: the value alone;
    a sheet, which prints it beside, gets the part's working."""
    with tracer.record() as trace:
        x = tracer.param([[1.0, 3.0], [2.0, 6.0]], name="x")
        gamma, beta = tracer.param([1.0, 1.0], name="g"), tracer.param([0.0, 0.0], name="b")
        y = tracer.layer_norm(x, gamma, beta, name="y")
        (y * tracer.tensor([[1.0, 2.0], [3.0, 4.0]], name="c")).sum(name="L").backward()
    step = trace.step("y.grad")
    dg = step.outputs.index(step.grad_map[trace.step("y").inputs[1]])
    shown = explain(trace, step, (0,), output=dg)
    assert shown.lines == (shown.text,)
    part = explain(trace, step, (0,), output=dg, parts=True)
    assert {trace.tensors[t].name for t, _ in part.reads} == {"dy", "normalized"}   # dscaled: dy, passed on
