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
