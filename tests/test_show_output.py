"""``tracer show --step S --output K --cell I,J``: the working of a cell of any output of a step with
several (a backward linear layer makes dW, dX and db), through click's CliRunner."""
from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from tests.trace_samples import mlp_trace
from tracer.cli import main
from tracer.explain import explain


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    trace = mlp_trace()
    path = tmp_path_factory.mktemp("show") / "mlp.trace"
    trace.save(path)
    return trace, str(path)


def show(*args: str):
    return CliRunner().invoke(main, ["show", *args])


def test_output_1_explains_the_second_gradient(saved) -> None:
    trace, path = saved
    step = trace.step("layer2.P.grad")
    dW2, dH = (trace.tensors[t] for t in step.outputs)
    assert (dW2.name, dH.name) == ("dW2", "dH")
    result = show(path, "--step", "layer2.P.grad", "--output", "1", "--cell", "1,0", "--no-color")
    assert result.exit_code == 0, result.output
    w = explain(trace, step, (1, 0), output=1)
    assert f"dH[1, 0] = {w.text}\n" in result.output and w.lines[-1] in result.output
    assert float(w.text) == pytest.approx(float(np.asarray(dH.data)[1, 0]), abs=0.01)
    assert "dW2[" not in result.output.split("dH[1, 0] = ")[1]   # the working is dH's, not dW2's
    first = show(path, "--step", "layer2.P.grad", "--output", "1", "--no-color")
    assert first.exit_code == 0 and "dH[0, 0] = " in first.output   # its first cell by default


def test_output_in_json(saved) -> None:
    trace, path = saved
    step = trace.step("layer2.P.grad")
    data = json.loads(show(path, "--step", "layer2.P.grad", "--output", "1", "--cell", "1,0", "--json").output)
    assert data["working"]["output"] == 1 and data["working"]["tensor"] == step.outputs[1]
    assert data["working"]["cell"] == [1, 0]
    assert data["working"]["lines"] == list(explain(trace, step, (1, 0), output=1).lines)


@pytest.mark.parametrize("args, message", [
    (["--step", "layer2.P.grad", "--output", "2"], "step 13 layer2.P.grad has 2 output(s): give 0 to 1"),
    (["--step", "loss.diff.grad", "--output", "1"], "has 1 output(s): give 0"),
    (["--output", "1"], "--output needs --step"),
    (["--step", "layer2.P.grad", "--output", "1", "--cell", "0,0,0"], "dH has shape (3, 1): a cell needs 2 number(s)"),
    (["--step", "layer2.P.grad", "--output", "-1"], "--output"),
])
def test_a_bad_output_is_one_clear_line(saved, args, message) -> None:
    _, path = saved
    result = show(path, *args)
    assert result.exit_code == 2 and message in result.output, result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1


def test_a_cell_of_a_later_slice_shows_the_slice_that_holds_it(tmp_path) -> None:
    """Two heads' scores (2, 2, 2): explaining c[1, 0, 1] shows slice 1 of every grid, whose
    numbers are the ones the working reads (4×1 + 5×1 = 9), not slice 0's."""
    import tracer

    with tracer.record() as trace:
        a = tracer.tensor(np.arange(8).reshape(2, 2, 2), name="a")
        tracer.matmul(a, tracer.tensor(np.ones((2, 2, 2)), name="b"), name="c")
    path = tmp_path / "heads.trace"
    trace.save(path)
    result = show(str(path), "--step", "c", "--cell", "1,0,1", "--no-color")
    assert result.exit_code == 0, result.output
    assert result.output.count("showing [1, :, :]") == 3
    assert "showing [0, :, :]" not in result.output
    assert "4×1 + 5×1 = 9" in result.output
    assert "  6 7" in result.output  # a's slice 1, second row
