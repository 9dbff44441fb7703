"""The terminal stepper, headless through Textual's pilot (press keys, read the screen), and once
in a real terminal through tmux."""
from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import time

import numpy as np
import pytest
from textual import events

import tracer
from tests.trace_samples import chain_trace, mlp_trace
from tracer.stepper import StepperApp
from tracer.stepper.app import StepTree

SIZE = (150, 50)


def screen(app: StepperApp) -> str:
    """The text of every cell of the terminal, as a person would read it."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def status(app: StepperApp) -> str:
    return screen(app).splitlines()[0].strip()


def drive(trace: tracer.Trace, script) -> None:
    """Run the app headless and hand ``script(app, press)`` a function pressing keys in turn."""
    async def main() -> None:
        app = StepperApp(trace, title="mlp.trace")
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()

            async def press(*keys: str) -> str:
                await pilot.press(*keys)
                await pilot.pause()
                return screen(app)

            await script(app, press, pilot)

    asyncio.run(main())


@pytest.fixture(scope="module")
def mlp():
    return mlp_trace()


def test_opens_on_the_first_step_with_its_formula_and_grids(mlp):
    async def script(app, press, pilot):
        text = screen(app)
        assert status(app) == "mlp.trace · step 0/20 · forward · layer1.Z"
        assert "Z = W1 · X + b1" in text
        assert "A linear layer" in text
        assert "forward pass (4)" in text and "backward pass (4)" in text and "update (3)" in text
        assert "W1 (3, 2) param" in text and "made of  1 matmul, 2 bias" in text
    drive(mlp, script)


def test_next_and_previous_skip_a_folded_composite(mlp):
    async def script(app, press, pilot):
        await press("right")
        assert status(app).startswith("mlp.trace · step 3/20 · forward · layer1.H")
        await press("n")
        assert "step 4/20" in status(app)
        await press("left")
        assert "step 3/20" in status(app)
        await press("p")
        assert "step 0/20" in status(app)
        await press("p")
        assert status(app).endswith("first step")
    drive(mlp, script)


def test_unfolding_a_composite_steps_into_it_and_the_cell_moves(mlp):
    async def script(app, press, pilot):
        await press("enter")  # unfold layer1.Z
        text = await press("n")
        assert "step 1/20 · forward · layer1.Z.matmul" in status(app)
        assert "matmul[0, 0] = 2" in text and "1×3 + -1×1 = 2" in text  # row 0 of W1 · X
        text = await press("j")
        assert "matmul[1, 0] = 6" in text and "2×3 + 0×1 = 6" in text
        text = await press("k", "l")  # one column only: the cell stays in it
        assert "matmul[0, 0] = 2" in text
        await press("n")
        assert "step 2/20 · forward · layer1.Z.bias" in status(app)
        await press("p", "p", "enter")  # fold it again: next jumps over the children
        await press("n")
        assert "step 3/20" in status(app)
    drive(mlp, script)


def test_b_jumps_between_a_gradient_step_and_its_forward_step(mlp):
    async def script(app, press, pilot):
        text = await press("g", "1", "3", "enter")
        assert "step 13/20 · backward · layer2.P.grad" in status(app)
        assert "gradient of  step 4 layer2.P" in text
        assert "dW2 = dP · Hᵀ" in text
        await press("b")
        assert "step 4/20 · forward · layer2.P" in status(app)
        await press("b")
        assert "step 13/20" in status(app)
        await press("g", *"layer1.Z.matmul", "enter")
        assert "step 1/20" in status(app)
        await press("b")  # into the backward group of the linear layer
        assert "step 17/20 · backward · layer1.Z.matmul.grad" in status(app)
    drive(mlp, script)


def test_go_to_and_search_report_what_they_cannot_find(mlp):
    async def script(app, press, pilot):
        await press("g", *"nope", "enter")
        assert "no step named 'nope' in the trace" in status(app)
        await press("slash", *"update", "enter")
        assert "step 18/20 · update · W1.update" in status(app)
        await press("slash", "enter")  # the last search is offered again: the next match
        assert "step 19/20 · update · b1.update" in status(app)
        await press("slash", "backspace", "backspace", "backspace", "backspace", "backspace", "backspace", *"zzz", "enter")
        assert "no step name contains 'zzz'" in status(app)
        await press("g", "escape", "n")  # escape closes the prompt; keys step again
        assert "step 20/20" in status(app)
    drive(mlp, script)


def test_keys_typed_ahead_all_land_in_order(mlp):
    """A fast typist (or tmux send-keys) delivers "g15⏎⏎n" before the app has drawn anything."""
    async def script(app, press, pilot):
        for key, char in [("g", "g"), ("1", "1"), ("5", "5"), ("enter", "\r"), ("enter", "\r"), ("n", "n")]:
            app.post_message(events.Key(key, char))
        await pilot.pause()
        text = await press()
        assert "step 16/20 · backward · layer1.Z.bias.grad" in status(app)  # 15 unfolded, then its first child
        assert "bias.grad" in text and "matmul.grad" in text
    drive(mlp, script)


def test_help_opens_and_closes_and_q_quits(mlp):
    async def script(app, press, pilot):
        text = await press("question_mark")
        assert "tracer step: keys" in text and "forward ⇄ backward" in text
        text = await press("x")
        assert "tracer step: keys" not in text
        await press("q")
        assert app.return_code == 0
    drive(mlp, script)


def test_clicking_a_step_in_the_list_shows_it(mlp):
    async def script(app, press, pilot):
        tree = app.query_one(StepTree)
        line = app.nodes[4].line
        await pilot.click(StepTree, offset=(12, line))
        await pilot.pause()
        assert "step 4/20 · forward · layer2.P" in status(app)
        assert tree.cursor_node is app.nodes[4]
    drive(mlp, script)


def test_clicking_an_output_cell_selects_it(mlp):
    async def script(app, press, pilot):
        await press("enter", "n")  # layer1.Z.matmul: W1·X = [2, 6, 1]
        lines = screen(app).splitlines()
        title = next(k for k, line in enumerate(lines) if "matmul (3, 1) activation" in line)
        x = lines[title + 2].rindex("6")
        await pilot.click(offset=(x, title + 2))
        text = await press()
        assert "matmul[1, 0] = 6" in text and "2×3 + 0×1 = 6" in text
    drive(mlp, script)


def test_thousands_of_steps_open_lazily(tmp_path):
    path = tmp_path / "chain.trace"
    chain_trace(300).save(path)
    trace = tracer.load(path)
    n = len(trace.steps)
    assert n > 2500

    async def script(app, press, pilot):
        assert f"step 0/{n - 1}" in status(app)
        assert len(app.nodes) < n / 2  # composite children join the tree when first unfolded
        await press("g", *str(n - 1), "enter")
        assert f"step {n - 1}/{n - 1}" in status(app)
        loaded = [tid for tid, r in trace.tensors.items() if not callable(r._data)]
        shown = set(trace.steps[0].inputs + trace.steps[0].outputs + trace.steps[n - 1].inputs + trace.steps[n - 1].outputs)
        assert set(loaded) <= shown | {t for s in trace.steps[0:1] for c in trace.children(s) for t in c.inputs + c.outputs}
    drive(trace, script)


def test_a_large_tensor_is_elided_with_its_shape(tmp_path):
    with tracer.record() as big:
        A = tracer.tensor(np.arange(1_100_000, dtype=np.float64).reshape(1100, 1000), name="A")
        tracer.relu(A - 500_000.0, name="H")
    big.save(tmp_path / "big.trace")
    trace = tracer.load(tmp_path / "big.trace")

    async def script(app, press, pilot):
        text = screen(app)
        assert "A (1100, 1000) input" in text and "⋯" in text and "⋮" in text
        assert "too large to work by hand" in text
    drive(trace, script)


# ---- a real terminal ---------------------------------------------------------------------------------
def _pane(socket: str) -> str:
    return subprocess.run(["tmux", "-L", socket, "capture-pane", "-p", "-t", "stepper"],
                          capture_output=True, text=True).stdout


def _wait_for(socket: str, text: str, limit: float = 60.0) -> str:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        pane = _pane(socket)
        if text in pane:
            return pane
        time.sleep(0.2)
    raise AssertionError(f"{text!r} never appeared; the pane shows:\n{_pane(socket)}")


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_the_stepper_in_a_real_terminal(tmp_path):
    path = tmp_path / "mlp.trace"
    mlp_trace().save(path)
    socket = f"tracer-test-{os.getpid()}"
    command = f"{sys.executable} -m tracer.cli step {path}; echo STEPPER-EXIT-$?; sleep 30"
    subprocess.run(["tmux", "-L", socket, "-f", "/dev/null", "new-session", "-d", "-s", "stepper",
                    "-x", "140", "-y", "45", command], check=True, env={**os.environ, "TERM": "xterm-256color"})
    try:
        pane = _wait_for(socket, "step 0/20")
        assert "Z = W1 · X + b1" in pane
        subprocess.run(["tmux", "-L", socket, "send-keys", "-t", "stepper", "Right", "n"], check=True)
        pane = _wait_for(socket, "step 4/20")
        assert "P = W2 · H" in pane and "P[0, 0] = -3" in pane
        subprocess.run(["tmux", "-L", socket, "send-keys", "-t", "stepper", "q"], check=True)
        _wait_for(socket, "STEPPER-EXIT-0")
    finally:
        subprocess.run(["tmux", "-L", socket, "kill-server"], capture_output=True)
