"""Rounding noise prints as 0.00 (tracer.explain.noise); a vanishing gradient keeps its scientific
notation. Numbers by hand, ``tracer show`` through CliRunner, the workings redone from the printed
numbers, and a grid of the video built from the same trace."""
from __future__ import annotations

import numpy as np
import pytest
from click.testing import CliRunner

import tracer
from tests.test_printed_arithmetic import working_problems
from tracer.cli import main
from tracer.display import fmt, number_format
from tracer.examples import run_example
from tracer.explain import explain, noisy, tensor_format


def centred() -> tracer.Trace:
    """c = x − mean(x) over three rows, loss = Σ c ⊙ w with w = (0.1, 0.2, −0.3).

    By hand: dc = w; the mean's gradient is −(0.1 + 0.2 − 0.3) = 0, which float64 makes
    −5.55e-17 (0.1 + 0.2 is 0.30000000000000004); dx gets dc + dmean / 3 = w + 0.
    """
    with tracer.record() as trace:
        x = tracer.param([[1.0], [2.0], [4.0]], name="x")
        m = tracer.mean(x, axis=0, keepdims=True, name="m")
        c = tracer.sub(x, m, name="c")
        loss = tracer.sum(tracer.mul(c, tracer.tensor([[0.1], [0.2], [-0.3]], name="w"), name="cw"), name="loss")
        loss.backward()
    return trace


def made(trace: tracer.Trace, step: str, k: int = 0) -> str:
    return trace.step(step).outputs[k]


def test_the_gradient_through_a_mean_of_cancelling_entries_is_noise_shown_as_zero(tmp_path) -> None:
    trace = centred()
    dm = made(trace, "c.grad", 1)   # the gradient sub sends to its broadcast input m
    assert trace.tensors[dm].name == "dm"
    assert float(np.asarray(trace.tensors[dm].data)[0, 0]) == pytest.approx(-5.55e-17, rel=0.01)
    assert number_format(trace.tensors[dm].data).sci          # its size alone would say 1e-17
    assert noisy(trace, dm) and tensor_format(trace, dm) == number_format(np.ones(1) / 2)
    w = explain(trace, "c.grad", (0, 0), output=1, minus="−")
    assert w.lines == ("−0.10 − 0.20 − (−0.30) = 0.00",) and w.cancels
    dx_mean = made(trace, "m.grad")   # dm / 3: made only from noise, so noise too
    assert noisy(trace, dx_mean)
    assert explain(trace, "m.grad", (1, 0)).lines == ("0.00 / 3 = 0.00",)
    total = trace.steps[-1]          # dx = dc + dm / 3, the two uses of x added
    assert total.op == "accumulate" and not noisy(trace, total.outputs[0])
    assert explain(trace, total, (2, 0), minus="−").lines == ("−0.30 + 0.00 = −0.30",)
    for step in (trace.step("c.grad"), trace.step("m.grad"), total):
        for k, tid in enumerate(step.outputs):
            for cell in np.ndindex(*trace.tensors[tid].shape):
                assert not working_problems(explain(trace, step, cell, output=k))[0]

    path = tmp_path / "centred.trace"
    trace.save(path)
    shown = CliRunner().invoke(main, ["show", str(path), "--step", "m.grad", "--no-color"])
    assert shown.exit_code == 0, shown.output
    grid = shown.output.split("outputs\n")[1].split("\n\n")[0].splitlines()
    assert grid == ["dx″ (3, 1) grad", "  0.00", "  0.00", "  0.00"]   # x's second share, added to dx′ last
    assert "0.00 / 3 = 0.00" in shown.output and "e-17" not in shown.output and "e-18" not in shown.output
    summed = CliRunner().invoke(main, ["show", str(path), "--step", str(total.id), "--cell", "2,0", "--no-color"])
    assert summed.exit_code == 0 and "-0.30 + 0.00 = -0.30" in summed.output


def test_the_layer_norm_gradient_through_its_mean_reads_zero() -> None:
    trace = run_example("transformer_block")
    ln = trace.step("train.0.blocks.0.ln2.grad")
    through_mean = made(trace, "train.0.blocks.0.ln2.mean.grad")
    assert np.abs(trace.tensors[through_mean].data).max() < 1e-15 and noisy(trace, through_mean)
    assert {fmt(v, tensor_format(trace, through_mean)) for v in np.ravel(trace.tensors[through_mean].data)} == {"0.00"}
    for cell in np.ndindex(*trace.tensors[ln.outputs[0]].shape):
        w = explain(trace, ln, cell, minus="−", parts=True)   # the contributions, as a sheet prints them
        assert w.lines[-1].count(" + 0.00 = ") == 1, w.lines   # dresid_post = a + 0.00 = a
        assert not working_problems(w)[0]


def test_a_small_product_is_not_noise_but_a_cancelling_sum_is() -> None:
    with tracer.record() as trace:
        a = tracer.tensor([1e-5, 3e-5], name="a")
        p = tracer.mul(a, tracer.tensor([1e-5, 2e-5], name="b"), name="p")       # 1e-10, 6e-10
        s = tracer.sum(p, name="s")                                               # 7e-10: no cancelling
        z = tracer.sum(tracer.tensor([0.1, 0.2, -0.3], name="z"), name="zs")      # 5.55e-17
    assert [noisy(trace, made(trace, n)) for n in ("p", "s", "zs")] == [False, False, True]
    assert fmt(float(trace.tensors[made(trace, "s")].data), tensor_format(trace, made(trace, "s"))) == "7.00e-10"
    assert explain(trace, "zs", (), minus="−").lines == ("0.10 + 0.20 − 0.30 = 0.00",)


@pytest.mark.parametrize("example", ["vanishing_gradients", "gradient_through_time"])
def test_a_vanishing_gradient_keeps_its_scientific_notation(example: str) -> None:
    trace = run_example(example)
    tiny = [tid for tid, r in trace.tensors.items()   # (a batch norm's bias gradient is 0: the next test)
            if r.kind == "grad" and r.size and 0 < np.abs(r.data).max() < 1e-7
            and "batch_norm" not in trace.steps[r.producer].name]
    assert tiny, f"{example} has no gradient below 1e-7"
    for tid in tiny:
        assert not noisy(trace, tid), trace.tensors[tid].name
        assert tensor_format(trace, tid).sci
    smallest = min(tiny, key=lambda t: np.abs(trace.tensors[t].data).max())
    value = float(np.abs(trace.tensors[smallest].data).max())
    assert value < 1e-8 and fmt(value, tensor_format(trace, smallest)).endswith(("e-09", "e-10", "e-11"))


def test_the_bias_before_a_batch_norm_gets_a_zero_gradient() -> None:
    """A batch norm subtracts the batch mean: the bias added before it has no effect and a gradient
    of exactly 0, which float64 leaves as 1e-17 noise."""
    trace = run_example("vanishing_gradients")
    biases = [tid for tid, r in trace.tensors.items() if r.name == "db1" and "batch_norm" in trace.steps[r.producer].name]
    assert biases and all(noisy(trace, t) for t in biases)
    for t in biases:
        assert 0 < np.abs(trace.tensors[t].data).max() < 1e-15
        assert {fmt(v, tensor_format(trace, t)) for v in np.ravel(trace.tensors[t].data)} == {"0.00"}


def test_a_grid_of_the_video_writes_noise_as_the_terminal_does() -> None:
    grid_module = pytest.importorskip("scenes.grid")
    trace = centred()
    dm = trace.tensors[made(trace, "c.grad", 1)]
    drawn = grid_module.NumberGrid(dm, trace=trace)
    assert fmt(float(dm.data[0, 0]), drawn.nf, "−") == "0.00"
    assert drawn.format_of(dm) == tensor_format(trace, dm.id)
    alone = grid_module.NumberGrid(dm)   # without its trace: the values alone decide
    assert alone.nf.sci
