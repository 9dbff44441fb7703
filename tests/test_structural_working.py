"""A structural op's cell names the cell it copies, and a gradient cell that several copies fed adds
theirs up, naming them (:mod:`tracer.explain.structural`); the checker holds a copy line to the
named cell's value (:func:`tracer.explain.check.check_line` with ``cells``). Numbers by hand."""
from __future__ import annotations

import numpy as np
import pytest
from click.testing import CliRunner

import tracer
from tests.test_printed_arithmetic import working_problems
from tracer.cli import main
from tracer.examples import run_example
from tracer.explain import explain
from tracer.explain.check import check_line
from tracer.explain.working import cells_of


def weighted_loss(y: tracer.Tensor, weights: list) -> None:
    """loss = Σ y ⊙ W: the gradient arriving at y is W itself (numbers known by hand)."""
    tracer.sum(y * tracer.tensor(weights, name="W"), name="loss").backward()


def test_the_lstm_concat_gradient_names_the_slice_of_dhx() -> None:
    trace = run_example("lstm")
    step = trace.step("train.0.lstm.t2.hx.grad")
    dhx = np.asarray(trace.tensors[step.inputs[0]].data)
    assert trace.tensors[step.outputs[0]].name == "dh₂" and trace.tensors[step.inputs[0]].name == "dhx"
    for i in range(2):   # hx = [h ; x]: rows 0 and 1 of dhx are h's
        w = explain(trace, step, (i, 0))
        assert w.formula == f"dhx[{i}, 0]" and w.lines == (f"dhx[{i}, 0] = {w.text}",)
        assert w.reads == ((step.inputs[0], (i, 0)),)
        assert w.value == dhx[i, 0]
        assert not working_problems(w, trace)[0]
    assert explain(trace, step, (0, 0)).lines == ("dhx[0, 0] = 0.06",)   # as `tracer show` printed it


def test_both_parts_of_a_concat_take_their_rows_back() -> None:
    with tracer.record() as trace:
        h = tracer.param([[1.0], [2.0]], name="h")
        x = tracer.param([[3.0], [4.0]], name="x")
        weighted_loss(tracer.concat([h, x], name="hx"), [[5.0], [6.0], [7.0], [8.0]])
    step = trace.step("hx.grad")
    assert explain(trace, step, (1, 0), output=0).lines == ("dhx[1, 0] = 6",)   # dh[1] ← dhx[1]
    assert explain(trace, step, (0, 0), output=1).lines == ("dhx[2, 0] = 7",)   # dx[0] ← dhx[2]
    assert explain(trace, step, (1, 0), output=1).lines == ("dhx[3, 0] = 8",)
    forward = explain(trace, "hx", (3, 0))   # and forward: hx[3] is x[1]
    assert (forward.formula, forward.lines) == ("x[1, 0]", ("x[1, 0] = 4",))


def test_a_transpose_and_a_reshape_gradient_name_where_their_cell_went() -> None:
    with tracer.record() as trace:
        X = tracer.param([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], name="X")
        weighted_loss(tracer.transpose(X, name="Y"), [[10.0, 20.0], [30.0, 40.0], [50.0, 60.0]])
    w = explain(trace, "Y.grad", (0, 2))   # X[0, 2] went to Y[2, 0], whose gradient is W[2, 0] = 50
    assert (w.formula, w.lines, w.text) == ("dY[2, 0]", ("dY[2, 0] = 50",), "50")
    assert explain(trace, "Y", (2, 1)).lines == ("X[1, 2] = 6",)

    with tracer.record() as trace:
        X = tracer.param([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], name="X")
        weighted_loss(tracer.reshape(X, shape=(3, 2), name="R"), [[10.0, 20.0], [30.0, 40.0], [50.0, 60.0]])
    # X[1, 0] is the 4th entry (flat 3): R[1, 1], whose gradient is 40
    assert explain(trace, "R.grad", (1, 0)).lines == ("dR[1, 1] = 40",)
    assert explain(trace, "R", (2, 0)).lines == ("X[1, 1] = 5",)


def test_an_embedding_row_looked_up_twice_adds_both_gradients() -> None:
    with tracer.record() as trace:
        E = tracer.param([[0.1, 0.2], [0.3, 0.4], [0.5, 0.6], [0.7, 0.8]], name="E")
        ids = tracer.tensor(np.array([1, 3, 1]), name="ids")
        weighted_loss(tracer.gather(E, ids, name="emb"), [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    step = trace.step("emb.grad")
    w = explain(trace, step, (1, 0))   # row 1 was looked up by ids[0] and ids[2]: 1 + 5
    assert w.lines == ("demb[0, 0] + demb[2, 0] = 1 + 5 = 6",)
    assert (w.formula, w.terms, w.partials) == ("demb[0, 0] + demb[2, 0]", ("1", "5"), ("1", "6"))
    assert explain(trace, step, (3, 1)).lines == ("demb[1, 1] = 4",)   # looked up once
    unused = explain(trace, step, (0, 1))   # row 0 was never looked up
    assert (unused.formula, unused.lines) == ("0", ("0",))
    forward = explain(trace, "emb", (2, 1))   # ids[2] = 1 picks row 1
    assert forward.lines == ("[1, 3, 1][2] = 1", "E[1, 1] = 0.40")   # the indices are named by their values
    for cell in [(1, 0), (3, 1), (0, 1)]:
        assert not working_problems(explain(trace, step, cell), trace)[0]


def test_a_broadcast_gradient_adds_the_copies_and_a_sum_copies_its_gradient() -> None:
    with tracer.record() as trace:
        x = tracer.param([[1.0, 2.0, 3.0]], name="x")
        weighted_loss(tracer.broadcast_to(x, shape=(2, 3), name="B"), [[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]])
    assert explain(trace, "B.grad", (0, 1)).lines == ("dB[0, 1] + dB[1, 1] = -2 + 5 = 3",)
    assert explain(trace, "B.grad", (0, 2)).lines == ("dB[0, 2] + dB[1, 2] = 3 - 6 = -3",)
    assert explain(trace, "B.grad", (0, 2), minus="−").lines == ("dB[0, 2] + dB[1, 2] = 3 − 6 = −3",)
    assert explain(trace, "loss.grad", (1, 2)).lines == ("dloss = 1",)   # Σ's gradient, copied


def test_a_split_piece_without_a_gradient_sends_back_zeros_and_a_pad_cell_is_its_constant() -> None:
    with tracer.record() as trace:
        x = tracer.param([1.0, 2.0, 3.0, 4.0], name="x")
        a, b = tracer.split(x, sections=2, name="parts")
        weighted_loss(b, [10.0, 20.0])
        p = tracer.pad(tracer.tensor([[1.5]], name="y"), pad_width=1, name="p")
    step = trace.step("parts.grad")
    assert explain(trace, step, (3,)).lines[-1].endswith("= 20") and "[1]" in explain(trace, step, (3,)).formula
    assert explain(trace, step, (0,)).formula == "0"
    assert explain(trace, "parts", (1,), output=1).lines == ("x[3] = 4",)
    assert explain(trace, "p", (1, 1)).lines == ("y[0, 0] = 1.50",)
    assert "[" not in explain(trace, "p", (0, 0)).expression   # the padding copies nothing


@pytest.mark.parametrize("line, cells, wrong", [
    ("dhx[0, 0] = 0.06", {"dhx[0, 0]": 0.0612}, False),
    ("dhx[0, 0] = 0.06", {"dhx[0, 0]": 0.0712}, True),                  # the named cell is not 0.06
    ("dhx[0, 0] = 0.06", {"dhx[1, 0]": 0.0612}, True),                  # a cell the working did not read
    ("dY[0, 1] + dY[2, 1] = 0.03 + 0.05 = 0.08", {"dY[0, 1]": 0.03, "dY[2, 1]": 0.05}, False),
    ("dY[0, 1] + dY[2, 1] = 0.03 + 0.05 = 0.08", {"dY[0, 1]": 0.03, "dY[2, 1]": -0.05}, True),  # the sign
    ("dY[0, 1] + dY[2, 1] = 0.03 + 0.05 = 0.09", {"dY[0, 1]": 0.03, "dY[2, 1]": 0.05}, True),   # the sum
    ("dloss = 1", {"dloss": 1.0}, False),
    ("Σ = 1.00 + 0.37 = 1.37", {}, False),                              # a label, not a cell
    ("dh[0, 0] = dhx[0, 0] = 0.06", {"dh[0, 0]": 0.0612, "dhx[0, 0]": 0.0612}, False),  # the cell named first
    ("dh[0, 0] = dhx[1, 0] = 0.06", {"dh[0, 0]": 0.0612, "dhx[1, 0]": 0.0598}, True),   # … is not that cell
])
def test_the_checker_holds_a_named_cell_to_its_value(line: str, cells: dict, wrong: bool) -> None:
    assert bool(check_line(line, (), cells)[0]) == wrong
    assert check_line(line)[1]   # without the values: the arithmetic is still read


def test_cells_of_reads_the_values_a_working_names() -> None:
    with tracer.record() as trace:
        x = tracer.tensor([[0.25, -0.5]], name="x")
        tracer.transpose(x, name="xt")
    w = explain(trace, "xt", (1, 0))
    assert cells_of(trace, w) == {"xt[1, 0]": -0.5, "x[0, 1]": -0.5} and w.lines == ("x[0, 1] = -0.50",)


def test_tracer_show_prints_the_named_cell(tmp_path) -> None:
    trace = run_example("lstm")
    path = tmp_path / "lstm.trace"
    trace.save(path)
    result = CliRunner().invoke(main, ["show", str(path), "--step", "train.0.lstm.t2.hx.grad", "--cell", "1,0",
                                       "--no-color"])
    assert result.exit_code == 0, result.output
    w = explain(trace, "train.0.lstm.t2.hx.grad", (1, 0))
    assert f"dh₂[1, 0] = {w.text}\n  dh₂[1, 0] = dhx[1, 0]\n  dhx[1, 0] = {w.text}\n" in result.output


def test_a_new_structural_op_names_its_cells_with_no_working_of_its_own() -> None:
    """docs/adding-an-op.md: a structural op's body, run on positions, says where each entry went."""
    from tracer.ops import labels as lb
    from tracer.ops.declare import primitive
    from tracer.ops.spec import REGISTRY

    @primitive("flip_rows", family="structural", labels=lb.broadcast, formula="{out} = {x} upside down",
               grad="d{x} = d{out} upside down", narration="Turn {x} upside down.")
    def flip_rows(x):
        return np.flip(x, 0), lambda g, need: (np.flip(g, 0),)
    try:
        with tracer.record() as trace:
            x = tracer.param([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], name="x")
            weighted_loss(flip_rows(x, name="f"), [[10.0, 20.0], [30.0, 40.0], [50.0, 60.0]])
        assert explain(trace, "f", (0, 1)).lines == ("x[2, 1] = 6",)          # the last row comes first
        assert explain(trace, "f.grad", (0, 0)).lines == ("df[2, 0] = 50",)   # x[0] went to f[2]
    finally:
        del REGISTRY["flip_rows"]


def test_two_parts_with_one_name_are_told_apart() -> None:
    """Two heads' outputs both called z: a line says which z it copies (``z #2``), as the
    walkthrough labels them, and the checker reads the same names."""
    with tracer.record() as trace:
        a, b = tracer.param([[1.0]], name="z"), tracer.param([[2.0]], name="z")
        weighted_loss(tracer.concat([a, b], name="j"), [[3.0], [4.0]])
    w = explain(trace, "j", (1, 0))
    assert w.lines == ("z #2[0, 0] = 2",) and not working_problems(w, trace)[0]
    g = explain(trace, "j.grad", (0, 0), output=1)
    assert g.lines == ("dj[1, 0] = 4",) and not working_problems(g, trace)[0]


def test_a_tensor_concatenated_with_itself_takes_each_share_from_its_own_rows() -> None:
    """concat([h, h]): rows 0-1 of dj are the first share's, rows 2-3 the second's (the gradient
    at j is W = 1, 2, 3, 4, so the second share of dh is 3, 4 and dh is 1+3, 2+4)."""
    with tracer.record() as trace:
        h = tracer.param([[1.0], [2.0]], name="h")
        weighted_loss(tracer.concat([h, h], name="j"), [[1.0], [2.0], [3.0], [4.0]])
    assert explain(trace, "j.grad", (0, 0), output=0).lines == ("dj[0, 0] = 1",)
    assert explain(trace, "j.grad", (1, 0), output=0).lines == ("dj[1, 0] = 2",)
    second = [explain(trace, "j.grad", (i, 0), output=1) for i in range(2)]
    assert [w.lines for w in second] == [("dj[2, 0] = 3",), ("dj[3, 0] = 4",)]
    assert all(not working_problems(w, trace)[0] for w in second)
    assert trace.tensors[trace.step("h.grad_sum").outputs[0]].data.ravel().tolist() == [4.0, 6.0]


def test_a_float_turned_into_an_int_is_not_worked_as_a_copy() -> None:
    """1.7 as an int64 is 1: no line may say ``x[0, 0] = 1``; an int turned into a float is a copy."""
    with tracer.record() as trace:
        x = tracer.tensor([[1.7, -2.5]], name="x")
        tracer.astype(x, dtype="int64", name="y")
        k = tracer.tensor([[3, 4]], name="k")
        tracer.astype(k, dtype="float64", name="kf")
    for i, shown in ((0, "1"), (1, "-2")):
        w = explain(trace, "y", (0, i))
        assert w.formula == "y = x as int64" and w.lines == (shown,) and w.value == int(shown)
        assert not any("x[" in line for line in w.lines)
    assert explain(trace, "kf", (0, 1)).lines == ("k[0, 1] = 4",)


def test_a_steps_positions_are_numbered_once_for_all_its_cells(monkeypatch) -> None:
    """A viewer works cell after cell of one step: the op's body runs on positions once for them."""
    from tracer.explain import structural
    with tracer.record() as trace:
        weighted_loss(tracer.transpose(tracer.param(np.arange(6.0).reshape(2, 3), name="X"), name="Y"),
                      np.ones((3, 2)).tolist())
    calls = []
    numbered = structural.positions
    monkeypatch.setattr(structural, "positions", lambda *a: calls.append(a[1].name) or numbered(*a))
    assert [explain(trace, "Y", (i, 1)).lines for i in range(3)] == [("X[1, 0] = 3",), ("X[1, 1] = 4",), ("X[1, 2] = 5",)]
    assert [explain(trace, "Y.grad", (1, i)).lines for i in range(3)] == [(f"dY[{i}, 1] = 1",) for i in range(3)]
    assert calls == ["Y"]   # the forward step's positions serve its gradient step's cells too


def test_a_line_naming_a_cell_first_says_which_name_the_working_does_not_read() -> None:
    """``dh[0, 0] = dhx[1, 0] = 0.06`` where the working read dh[0, 0] only: the missing one is dhx[1, 0]."""
    problems = check_line("dh[0, 0] = dhx[1, 0] = 0.06", (), {"dh[0, 0]": 0.0612})[0]
    assert problems == ["'dh[0, 0] = dhx[1, 0] = 0.06' names dhx[1, 0], which the working does not read"]
