"""The explanation layer: the working behind one output cell, from the numbers as printed."""
from __future__ import annotations

import pytest

import tracer
from tracer.explain import explain


def by_hand() -> tracer.Trace:
    with tracer.record() as trace:
        W = tracer.param([[1, -1, 2], [2, 0, 1]], name="W")
        X = tracer.tensor([[3, 1], [1, 2], [0, 1]], name="X")
        Z = tracer.linear(W, X, tracer.param([1, -1], name="b"), name="Z")
        H = tracer.relu(Z - 2, name="H")
        tracer.softmax(tracer.tensor([[2.0, 1.0, 0.0]], name="S"), axis=1, name="P")
        L = tracer.sse(H, tracer.tensor([[0, 1], [2, 0]], name="Y"), name="L")
        L.backward()
        tracer.SGD([W], lr=0.5).step()
    return trace


def test_matmul_cell_lights_a_row_and_a_column_and_sums_them() -> None:
    trace = by_hand()
    cell = explain(trace, "Z.matmul", (0, 1))
    W, X = trace.step("Z.matmul").inputs
    assert cell.reads == ((W, (0, 0)), (X, (0, 1)), (W, (0, 1)), (X, (1, 1)), (W, (0, 2)), (X, (2, 1)))
    assert cell.terms == ("1×1", "-1×2", "2×1")
    assert cell.partials == ("1", "-1", "1")
    assert cell.expression == "1×1 - 1×2 + 2×1 = 1" and cell.value == 1 and not cell.approx


def test_linear_is_a_row_of_w_b_times_a_column_of_x_1() -> None:
    cell = explain(by_hand(), "Z", (1, 0), minus="−")
    assert cell.lines == ("2×3 + 0×1 + 1×0 − 1×1 = 5",)  # [W | b]·[X ; 1], b = −1
    assert cell.partials == ("6", "6", "6", "5") and cell.formula == "[W | b][1, :]·[X ; 1][:, 0]"


def test_relu_shows_the_comparison() -> None:
    trace = by_hand()
    assert explain(trace, "H", (0, 0)).lines == ("1 > 0 → keep it", "max(0, 1) = 1")
    assert explain(trace, "H", (0, 1)).lines[0] == "0 ≤ 0 → 0"  # Z − 2 = 2 − 2


def test_softmax_shows_exp_sum_and_divide() -> None:
    cell = explain(by_hand(), "P", (0, 0))
    # at two decimals the exponentials add up to 1.51, not to the sum's 1.50: the working carries
    # them with one digit more (e^−1 = 0.368, e^−2 = 0.135), and every line holds with "="
    assert cell.lines == ("e^(2 − 2) = 1.000", "Σ = 1.000 + 0.368 + 0.135 = 1.503", "1.000 / 1.503 = 0.67")


def test_gradient_of_a_matmul_is_a_row_times_a_column_too() -> None:
    trace = by_hand()
    g = trace.step("Z.matmul.grad")
    dW = g.grad_map[g.inputs[1]]
    cell = explain(trace, g, (0, 0), output=g.outputs.index(dW))
    dZ = trace.tensors[g.inputs[0]].data
    X = trace.tensors[g.inputs[2]].data
    assert cell.value == pytest.approx((dZ[0] * X[0]).sum())
    assert len(cell.terms) == 2 and cell.partials[-1] == cell.text


def test_relu_gradient_and_accumulate_and_update() -> None:
    trace = by_hand()
    relu_grad = explain(trace, "H.grad", (0, 1))
    assert relu_grad.lines == ("-2×[0 > 0] = 0",)  # dH = 2(H − Y) = 2(0 − 1); blocked at 0
    assert relu_grad.formula == "dH×[sub > 0]"  # it names the forward tensor it reads
    upd = explain(trace, "W.update", (0, 0))
    assert upd.lines == ("1 − 0.5×6 = -2",) and upd.formula == "W − 0.5×dW"  # dW[0, 0] = 2×3 + 0×1


def test_loss_shows_differences_squares_and_sum() -> None:
    cell = explain(by_hand(), "L", ())  # H = [[1, 0], [3, 0]]
    assert cell.lines == ("(1 − 0)² + (0 − 1)² + (3 − 2)² + (0 − 0)² = 3",)


def test_rounding_that_breaks_the_sum_prints_more_digits() -> None:
    with tracer.record() as trace:
        tracer.tensor([[0.114, 0.114, 0.114]]) @ tracer.tensor([[1.0], [1.0], [1.0]])
    cell = explain(trace, 0, (0, 0))  # 0.11 + 0.11 + 0.11 is 0.33, not the 0.34 it makes
    assert cell.expression == "0.114×1 + 0.114×1 + 0.114×1 = 0.34" and not cell.approx
    assert cell.partials == ("0.114", "0.228", "0.342")


def test_a_sum_the_grids_digits_miss_keeps_adding_digits_until_it_is_exact() -> None:
    # at the grid's two decimals the line gives 1.84 for 1.83, at three 1.836: a reader who redoes
    # the line must get the printed result, so it prints four (autoencoder, train.4 Z1, cell (2, 0))
    with tracer.record() as trace:
        tracer.matmul(tracer.tensor([[-0.99142, 0.92849, 0.9206, 0.98502]], name="W"),
                      tracer.tensor([[1], [0], [2], [1]], name="X"), name="Z")
    cell = explain(trace, 0, (0, 0))
    assert cell.expression == "-0.9914×1 + 0.9285×0 + 0.9206×2 + 0.9850×1 = 1.83" and not cell.approx


def test_a_negative_term_reads_as_a_subtraction_in_ascii_as_on_screen() -> None:
    with tracer.record() as trace:
        tracer.tensor([[1, -2]], name="W") @ tracer.tensor([[3], [4]], name="X")
    assert explain(trace, 0, (0, 0)).expression == "1×3 - 2×4 = -5"   # the terminal's and the sheets' minus
    assert explain(trace, 0, (0, 0), minus="−").expression == "1×3 − 2×4 = −5"   # the screen's


def test_cells_outside_the_tensor_are_refused() -> None:
    with pytest.raises(tracer.TracerError, match=r"cell \(5, 0\) is outside"):
        explain(by_hand(), "Z", (5, 0))


def test_a_composite_cell_is_explained_by_the_child_that_made_it() -> None:
    trace = by_hand()
    group = trace.step("Z.grad")  # the linear layer's backward step
    W = trace.step("Z").inputs[0]
    cell = explain(trace, group, (0, 0), output=group.outputs.index(group.grad_map[W]))
    assert cell.step == trace.step("Z.matmul.grad").id and cell.partials[-1] == cell.text
    X = trace.step("Z").inputs[1]
    assert X in cell.operands  # the forward X it multiplies by is not an input of the group step


def test_the_loss_gradient_reads_two_times_the_difference() -> None:
    trace = by_hand()  # H = [[1, 0], [3, 0]], Y = [[0, 1], [2, 0]]
    assert explain(trace, "L.grad", (1, 0)).lines == ("2×(3 − 2) = 2",)
    assert explain(trace, "L.grad", (0, 1), minus="−").lines == ("2×(0 − 1) = −2",)


def test_a_tensor_multiplied_by_itself_gets_a_share_per_use() -> None:
    with tracer.record() as trace:
        x = tracer.param([[3.0, -1.0]], name="x")
        tracer.sum(tracer.mul(x, x, name="sq"), name="s").backward()
    g = trace.step("sq.grad")
    assert len(g.outputs) == 2                     # d(x·x) = g·x (first use) + g·x (second use)
    shares = [explain(trace, g, (0, 1), output=k) for k in range(2)]
    assert [c.expression for c in shares] == ["1×(-1) = -1", "1×(-1) = -1"]  # d(x·x) = g·x twice


def test_power_divisor_and_reduction_gradients_show_their_numbers() -> None:
    """x = [[1, 2], [3, -1]], d = [[2, 4], [1, 2]]; L = Σ_cols (x² / d) summed, plus mean(x²)."""
    with tracer.record() as trace:
        x = tracer.param([[1.0, 2.0], [3.0, -1.0]], name="x")
        d = tracer.param([[2.0, 4.0], [1.0, 2.0]], name="d")
        q = tracer.div(x ** 2, d, name="q")
        L = tracer.add(q.sum(axis=0, name="cols").sum(name="s"), (x ** 2).mean(name="m"), name="L")
        L.backward()
    # dq = 1 everywhere; dd[1][0] = −1·9 / 1² = −9
    cell = explain(trace, "q.grad", (1, 0), output=1)
    assert cell.expression == "−1×9 / 1² = -9.00" and cell.value == -9
    assert explain(trace, "q.grad", (0, 1), output=0).expression == "1 / 4 = 0.25"
    assert explain(trace, "m", ()).expression == "(1 + 4 + 9 + 1) / 4 = 3.75"  # means divide
    # d(x²) through the mean: 1/4 each; then d x[1][1] = 0.25·2·(−1)^1 = −0.5
    assert explain(trace, "m.grad", (0, 0)).expression == "1 / 4 = 0.25"
    pow_grad = next(s for s in trace.steps if s.name.startswith("pow") and s.phase == "backward"
                    and trace.tensors[s.inputs[0]].data[0, 0] == 0.25)
    cell = explain(trace, pow_grad, (1, 1))
    assert cell.expression == "0.25×2×(-1)^(2 − 1) = -0.50" and cell.value == -0.5 and not cell.approx
    assert explain(trace, "cols.grad", (1, 0)).expression == "dcols[0] = 1"  # a sum copies its gradient: which cell


def test_a_negative_number_under_a_minus_or_an_exponent_is_bracketed() -> None:
    with tracer.record() as trace:
        x = tracer.tensor([-1.5, 2.0], name="x")
        tracer.neg(x, name="n")
        tracer.exp(x, name="e")
    assert explain(trace, "n", (0,)).expression == "−(-1.50) = 1.50"
    assert explain(trace, "e", (0,)).expression == "e^(-1.50) = 0.22"
    assert explain(trace, "e", (1,), minus="−").expression == "e^2.00 = 7.39"


def test_a_long_sum_shows_its_ends_and_the_total_between() -> None:
    with tracer.record() as trace:
        tracer.sum(tracer.tensor([float(k) for k in range(1, 21)], name="x"), name="s")
    cell = explain(trace, "s", (), lang="vi")
    assert cell.expression == "1 + 2 + 3 + 4 + 5 + [13 số hạng: 156] + 19 + 20 = 210"
    assert len(cell.terms) == 20 and cell.partials[-1] == "210"


def test_a_scalar_needs_no_index_and_a_wrong_index_says_how_many_numbers() -> None:
    trace = by_hand()
    assert explain(trace, "L", None).text == "3"
    with pytest.raises(tracer.TracerError, match=r"has shape \(2, 2\): a cell needs 2 number\(s\), like 0,0"):
        explain(trace, "H", (1,))


def test_an_op_this_version_does_not_know_explains_generically() -> None:
    trace = by_hand()
    step = trace.step("H")
    trace.steps[step.id] = type(step)(**{**{f: getattr(step, f) for f in step.__slots__}, "op": "from_the_future"})
    cell = explain(trace, step.id, (0, 0))
    assert cell.lines == ("1",) and cell.formula == step.formula


def test_a_layer_norm_cell_is_worked_part_by_part_in_every_viewer(tmp_path) -> None:
    """The video, ``tracer show``, the stepper and the sheets read one working of a layer-norm cell:
    x − μ, then (x − μ) / σ, then γ·x̂ + β, each line redone from the numbers it prints (it was
    the last part's line alone, ``0.65 + 0 = 0.65``, outside the video)."""
    from click.testing import CliRunner

    from tracer.cli import main
    from tracer.explain.check import check_line

    with tracer.record() as trace:
        x = tracer.tensor([[1.0, 2.0, 4.0], [0.5, -1.0, 3.0]], name="x")
        tracer.layer_norm(x, tracer.tensor([2.0, 1.0, 0.5], name="g"), tracer.tensor([0.0, 1.0, -1.0], name="b"),
                          name="ln")
    w = explain(trace, "ln", (0, 2))
    assert [line.split(" = ")[0] for line in w.lines] == ["x − μ", "(x − μ) / σ", "γ·x̂ + β"]
    assert w.lines[0] == "x − μ = 4.00 − 2.33 = 1.67"
    assert all(not check_line(line)[0] for line in w.lines), w.lines
    # x − μ = 4 − 2.33 = 1.67; σ = √(((1−2.33)² + (2−2.33)² + (4−2.33)²) / 3) = 1.25; 1.67 / 1.25 = 1.34
    assert w.lines[1:] == ("(x − μ) / σ = 1.67 / 1.25 = 1.34", "γ·x̂ + β = 1.34×0.50 + (-1) = -0.33")
    path = tmp_path / "ln.trace"
    trace.save(path)
    shown = CliRunner().invoke(main, ["show", str(path), "--step", "ln", "--cell", "0,2"])
    assert shown.exit_code == 0 and all(line in shown.output for line in w.lines), shown.output


def test_a_softmax_writes_the_rows_max_as_the_row_writes_it() -> None:
    """The max subtracted is one of the row's cells: printed as the row prints it (−2.00 beside
    −4.00), not as the max's own tensor would (−2, every max being a whole number)."""
    with tracer.record() as trace:
        s = tracer.tensor([[-4.0, -2.0, -8.0], [3.0, 0.5, 1.0]], name="s")
        tracer.softmax(s, axis=-1, name="p")
    assert explain(trace, "p", (0, 0), minus="−").lines[0] == "e^(−4.00 − (−2.00)) = 0.14"
    assert explain(trace, "p", (1, 1), minus="−").lines[0] == "e^(0.50 − 3.00) = 0.08"


def test_a_softmax_gradient_cell_is_worked_from_its_rows_sigma() -> None:
    """dx = p ⊙ (dp − Σ dp⊙p): the row's Σ, then the cell from it, each line redone from what it
    prints, the Σ the second line uses the one the first printed (it was ``0.04 + 0.00 = 0.04``,
    the sum of two of the softmax's inner gradients)."""
    from tracer.explain.check import check_line

    from .example_runs import run

    trace = run("self_attention")
    step = trace.step("train.0.attn.weights.grad")
    for idx in [(0, 0), (0, 1), (2, 3), (3, 2)]:
        w = explain(trace, step, idx, minus="−")
        sigma, cell = w.lines
        assert sigma.startswith("Σ = ") and cell.startswith("weights×(dweights − Σ) = ")
        printed = sigma.rsplit(" = ", 1)[1]
        assert f" − {printed})" in cell or f" − ({printed}))" in cell
        assert not check_line(sigma)[0] and not check_line(cell, [printed])[0], w.lines
        assert cell.endswith(f"= {w.text}")
