"""The terminal stepper, headless through Textual's pilot (press keys, read the screen), and once
in a real terminal through tmux."""
from __future__ import annotations

import asyncio
import os
import re
import shutil
import subprocess
import sys
import time

import numpy as np
import pytest
from textual import events

import tracer
from tests.trace_samples import chain_trace, mlp_trace
from tracer.examples import run_example
from tracer.explain.noise import HOPS
from tracer.i18n import LANGUAGES, phrase
from tracer.stepper import StepperApp
from tracer.stepper.app import StepTree
from tracer.stepper.outline import Group
from tracer.stepper.widgets import Panel
from tracer.textview import width_of

SIZE = (150, 50)


def screen(app: StepperApp) -> str:
    """The text of every cell of the terminal, as a person would read it."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def status(app: StepperApp) -> str:
    return screen(app).splitlines()[0].strip()


def bottom(app: StepperApp) -> str:
    return screen(app).splitlines()[-1].strip()


def drive(trace: tracer.Trace, script, size: tuple[int, int] = SIZE, **options) -> StepperApp:
    """Run the app headless and hand ``script(app, press, pilot)`` a function pressing keys in turn."""
    app = StepperApp(trace, title="mlp.trace", **options)

    async def main() -> None:
        async with app.run_test(size=size) as pilot:
            await pilot.pause()

            async def press(*keys: str) -> str:
                await pilot.press(*keys)
                await pilot.pause()
                return screen(app)

            await script(app, press, pilot)

    asyncio.run(main())
    return app


def group_labels(app: StepperApp) -> list[tuple[str, list[str]]]:
    """Every group of the step list: its label and its sibling groups' labels."""
    out = []
    stack = [app.query_one(StepTree).root]
    while stack:
        node = stack.pop()
        kids = [str(c.label) for c in node.children if isinstance(c.data, Group)]
        out += [(label, kids) for label in kids]
        stack += node.children
    return out


@pytest.fixture(scope="module")
def mlp():
    return mlp_trace()


@pytest.fixture(scope="module")
def training():
    """Three training iterations of a two-layer net, each under ``train.k``."""
    W1 = tracer.param([[1.0, -1.0], [2.0, 0.5]], name="W1")
    W2 = tracer.param([[1.0, -2.0]], name="W2")
    opt = tracer.SGD([W1, W2], lr=0.1)
    with tracer.record(title="train") as trace:
        X = tracer.tensor([[1.0], [2.0]], name="X")
        for k in range(3):
            with tracer.scope(f"train.{k}"):
                with tracer.scope("layer1"):
                    H = tracer.relu(tracer.matmul(W1, X, name="Z"), name="H")
                loss = tracer.sse(tracer.matmul(W2, H, name="P"), tracer.tensor([[1.0]], name="Y"), name="loss")
                opt.zero_grad()
                loss.backward()
                opt.step()
    return trace


# ---- opening, stepping, the tree --------------------------------------------------------------------
def test_opens_on_the_first_step_with_its_formula_and_grids(mlp):
    async def script(app, press, pilot):
        text = screen(app)
        assert status(app) == "mlp.trace · step 0 (1 of 21) · Forward pass · layer1.Z"
        assert "Z = W1 · X + b1" in text
        assert "A linear layer" in text
        assert "Forward pass (4)" in text and "Backward pass (4)" in text and "Update (3)" in text
        assert "W1 (3, 2) param" in text and "made of  1 matmul, 2 bias" in text
        assert bottom(app).startswith("→ next  ← back  Tab: detail pane")
    drive(mlp, script)


def test_arrows_space_and_backspace_step_over_a_folded_composite(mlp):
    async def script(app, press, pilot):
        await press("right")
        assert status(app).startswith("mlp.trace · step 3 (4 of 21) · Forward pass · layer1.H")
        await press("space")
        assert "step 4 (5 of 21)" in status(app)
        await press("left")
        assert "step 3 (4 of 21)" in status(app)
        await press("backspace")
        assert "step 0 (1 of 21)" in status(app)
        await press("left")
        assert bottom(app) == "this is the first step"
    drive(mlp, script)


def test_unfolding_a_composite_steps_into_it_and_the_cell_moves(mlp):
    async def script(app, press, pilot):
        await press("enter")  # unfold layer1.Z
        text = await press("right")
        assert "step 1 (2 of 21) · Forward pass · layer1.Z.matmul" in status(app)
        assert "matmul[0, 0] = 2" in text and "1×3 - 1×1 = 2" in text  # row 0 of W1 · X
        text = await press("j")
        assert "matmul[1, 0] = 6" in text and "2×3 + 0×1 = 6" in text
        text = await press("k", "l")  # one column only: the cell stays in it
        assert "matmul[0, 0] = 2" in text
        await press("right")
        assert "step 2 (3 of 21) · Forward pass · layer1.Z.bias" in status(app)
        await press("left", "left", "enter")  # fold it again: next jumps over the children
        await press("right")
        assert "step 3 (4 of 21)" in status(app)
    drive(mlp, script)


def test_the_tree_names_iterations_and_passes_and_never_shows_a_bare_number(training):
    async def script(app, press, pilot):
        groups = group_labels(app)
        labels = [label for label, _ in groups]
        assert [x for x in labels if x.startswith("iteration")] == [
            "iteration 1 of 3 (10)", "iteration 2 of 3 (10)", "iteration 3 of 3 (10)"]
        assert "Forward pass (4)" in labels and "Backward pass (4)" in labels and "Update (2)" in labels
        for label, siblings in groups:
            assert not re.fullmatch(r"\d+( \(\d+\))?", label), label
            assert siblings.count(label) == 1, (label, siblings)
        assert not app.query_one(StepTree).holders[16][0].is_expanded  # iteration 2 starts folded
        await press("g", *"16", "enter")  # going there unfolds it
        assert "step 16 (17 of 48) · Forward pass · train.1.layer1.Z" in status(app)
        assert app.query_one(StepTree).holders[16][0].is_expanded
    drive(training, script)


def test_next_char_groups_its_passes_and_its_block_once_each():
    trace = run_example("next_char")

    async def script(app, press, pilot):
        groups = group_labels(app)
        labels = [label for label, _ in groups]
        assert [x for x in labels if x.startswith("pass")] == [
            "pass 1 of 3 · Forward pass (27)", "pass 2 of 3 · Forward pass (27)", "pass 3 of 3 · Forward pass (27)"]
        assert labels.count("blocks.0 (16)") == 3  # one per pass, not two
        for label, siblings in groups:
            assert not re.fullmatch(r"\d+( \(\d+\))?", label), label
            assert siblings.count(label) == 1, (label, siblings)
    drive(trace, script, size=(80, 24))


def test_a_phase_that_comes_back_is_numbered_and_epochs_count_from_one():
    from tracer.stepper.outline import outline
    from tracer.stepper.steplist import group_label

    W = tracer.param([[1.0, -1.0]], name="W")
    with tracer.record() as trace:
        tracer.relu(W, name="h").sum(name="loss").backward()
        tracer.relu(W, name="again")
        for epoch in (1, 2):
            with tracer.scope(f"epoch{epoch}"):
                tracer.relu(W, name="h")
    labels = [group_label(g, "en").plain for g in outline(trace)]
    assert labels == ["Forward pass #1 (2)", "Backward pass (2)", "Forward pass #2 (1)",
                      "epoch 1 of 2 · Forward pass (1)", "epoch 2 of 2 · Forward pass (1)"]
    assert [group_label(g, "vi").plain for g in outline(trace)][3] == "epoch 1 trên 2 · Lan truyền xuôi (1)"


def test_b_jumps_between_a_gradient_step_and_its_forward_step(mlp):
    async def script(app, press, pilot):
        text = await press("g", "1", "3", "enter")
        assert "step 13 (14 of 21) · Backward pass · layer2.P.grad" in status(app)
        assert "gradient of  step 4 layer2.P" in text
        assert "dW2 = dP · Hᵀ" in text
        await press("b")
        assert "step 4 (5 of 21) · Forward pass · layer2.P" in status(app)
        await press("b")
        assert "step 13 (14 of 21)" in status(app)
        await press("g", *"layer1.Z.matmul", "enter")
        assert "step 1 (2 of 21)" in status(app)
        await press("b")  # into the backward group of the linear layer
        assert "step 17 (18 of 21) · Backward pass · layer1.Z.matmul.grad" in status(app)
        await press("g", *"W1.update", "enter", "b")  # an update: to the step that made its gradient
        assert "step 17 (18 of 21) · Backward pass · layer1.Z.matmul.grad" in status(app)
    drive(mlp, script)


def test_b_says_when_a_step_has_no_partner():
    with tracer.record() as trace:
        tracer.relu(tracer.tensor([[1.0, -2.0]], name="Z"), name="H")

    async def script(app, press, pilot):
        await press("b")
        assert bottom(app) == "step 0 has no gradient step or forward step to jump to"
    drive(trace, script, size=(80, 24))


def test_b_on_a_pass_without_backward_points_to_its_twin_that_has_one():
    trace = run_example("self_attention")  # attention once, then again in a training step

    async def script(app, press, pilot):
        await press("b")
        assert bottom(app) == "step 0 has no gradient; step 21, the same op in a later pass, has one"
        assert trace.steps[21].name == "train.0.attn.Q"
        await press("g", "2", "1", "enter", "b")
        assert "Backward pass · train.0.attn.Q.grad" in status(app)
    drive(trace, script, size=(80, 24))


def test_go_to_reports_what_it_cannot_find(mlp):
    async def script(app, press, pilot):
        await press("g", *"nope", "enter")
        assert bottom(app) == "no step 'nope': give an id 0–20 or a step name"
        await press("g", "escape", "right")  # escape closes the prompt; keys step again
        assert "step 3 (4 of 21)" in status(app)
    drive(mlp, script)


def test_search_starts_empty_and_n_N_go_to_the_next_and_previous_match(mlp):
    async def script(app, press, pilot):
        await press("n")
        assert bottom(app).startswith("nothing searched yet: press /")
        await press("slash", *"update", "enter")
        assert "step 18 (19 of 21) · Update · W1.update" in status(app)
        assert bottom(app).startswith("match 1 of 3 for 'update'")
        await press("n")
        assert "step 19 (20 of 21) · Update · b1.update" in status(app)
        await press("N", "N")
        assert "step 20 (21 of 21) · Update · W2.update" in status(app)  # wrapped round backwards
        await press("slash")
        assert bottom(app) == "search step names: ▏"  # empty, not the last search
        await press(*"zzz", "enter")
        assert bottom(app) == "no step name contains 'zzz'"
    drive(mlp, script)


def test_keys_typed_ahead_all_land_in_order(mlp):
    """A fast typist (or tmux send-keys) delivers "g15⏎⏎→" before the app has drawn anything."""
    async def script(app, press, pilot):
        for key, char in [("g", "g"), ("1", "1"), ("5", "5"), ("enter", "\r"), ("enter", "\r"), ("right", None)]:
            app.post_message(events.Key(key, char))
        await pilot.pause()
        text = await press()
        assert "step 16 (17 of 21) · Backward pass · layer1.Z.bias.grad" in status(app)  # 15 unfolded, then its first child
        assert "bias.grad" in text and "matmul.grad" in text
    drive(mlp, script)


# ---- the detail pane: focus, scrolling, the working, side by side -----------------------------------------
def test_tab_gives_the_detail_pane_the_keys_and_they_scroll_it():
    trace = run_example("autoencoder")

    async def script(app, press, pilot):
        panel = app.query_one(Panel)
        assert "Z1[0, 0] = 1" not in screen(app)  # the working is below the screen at 80×24
        await press("tab")
        assert app.focused is panel
        assert bottom(app).startswith("↑ ↓ PgUp PgDn: scroll  Tab: step list")
        text = await press("end")
        assert panel.scroll_y > 0 and "Z1[0, 0] = 1" in text and "0×1 - 1×0 + 1×2 + 0×1 - 1×1 = 1" in text
        await press("home")
        assert panel.scroll_y == 0
        await press("pagedown")
        assert panel.scroll_y > 0
        await press("up")
        await press("right")  # still steps from the pane
        assert "step 4 (5 of 304)" in status(app)
        await press("tab")
        assert isinstance(app.focused, StepTree)
    drive(trace, script, size=(80, 24))


@pytest.mark.parametrize("size", [(80, 24), (200, 60)])
def test_the_working_of_a_chosen_cell_comes_into_view_by_keyboard_alone(size):
    trace = run_example("autoencoder")

    async def script(app, press, pilot):
        text = await press("j", "j", "l")  # Z1[2, 1] = W1 row 2 · X column 1 + b1[2]
        assert "Z1[2, 1] = -1" in text
        assert "-1×2 + 1×1 + 1×1 + 1×0 - 1×1 = -1" in text  # [W1 | b1] row 2 · [X ; 1] column 1
    drive(trace, script, size=size)


def test_at_200_columns_grids_sit_side_by_side():
    trace = run_example("autoencoder")

    async def script(app, press, pilot):
        lines = screen(app).splitlines()
        row = next(line for line in lines if "W1 (3, 4) param" in line)
        assert "X (4, 4) input" in row and "b1 (3,) param" in row and "Z1 (3, 4) activation" in row
    drive(trace, script, size=(200, 60))


def test_axis_labels_sit_left_of_rows_and_above_columns_and_are_elided_like_the_values():
    words = [f"w{k}" for k in range(20)]
    with tracer.record() as trace:
        E = tracer.tensor(np.arange(40.0).reshape(20, 2), name="E", rows=words, cols=["king", "queen"])
        tracer.relu(E, name="H")

    async def script(app, press, pilot):
        lines = screen(app).splitlines()
        top = next(k for k, line in enumerate(lines) if "E (20, 2) input" in line)
        head, first = lines[top + 1], lines[top + 2]
        assert re.search(r"king\s+queen", head)
        assert re.search(r"w0\s+0\s+1\b", first)
        assert first.index("w0") < first.index(" 0 ") < head.index("king") + len("king")
        block = "\n".join(lines[top:top + 10])
        assert "w2 " in block and "⋮" in block and "w17" in block and "w19" in block and "w10" not in block
    drive(trace, script)


def test_help_fits_in_80_columns_in_every_language(mlp):
    for lang in LANGUAGES:
        async def script(app, press, pilot):
            text = await press("question_mark")
            shown = [line.strip(" │") for line in text.splitlines()]
            for line in phrase("help", lang).replace("[b]", "").replace("[/b]", "").splitlines():
                assert line.strip() in shown, (lang, line)
            text = await press("x")
            assert "tracer step" not in text.splitlines()[2]
        drive(mlp, script, size=(80, 24), lang=lang)


MESSAGES = ["step_of", "no_steps", "last_step", "first_step", "no_step", "no_match", "match", "no_search",
            "no_partner", "no_partner_twin", "no_chain", "prompt_goto", "prompt_search", "keys_tree", "keys_panel",
            "keys_practice", "practice_ask", "practice_right", "practice_wrong", "practice_nan",
            "practice_answered", "practice_none", "score", "practice_done", "any_key_quit", "chain_seed"]
WIDEST = {"id": 12345, "twin": 12345, "k": 12345, "n": 12345, "last": 12345, "key": repr("x" * 23 + "…"), "text": repr("x" * 23 + "…"),
          "cell": "dW_enc[123, 456]", "value": "-1.23e-04", "typed": repr("-1.23e-04"), "right": 999, "tried": 999}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_fits_in_80_columns(lang):
    for key in MESSAGES:
        text = phrase(key, lang).format(**WIDEST)
        assert width_of(text) <= 78, (key, lang, text)  # the line has a column of padding each side


# ---- where a gradient came from -------------------------------------------------------------------------
def test_w_shows_the_chain_of_backward_steps_back_to_the_loss(mlp):
    async def script(app, press, pilot):
        await press("w")
        assert bottom(app) == "step 0 reads no gradient: w works on backward and update steps"
        text = await press("g", *"layer1.H.grad", "enter", "w")
        assert "Where the gradients of step 14 came from" in text
        lines = [line.split("│")[-1].strip() for line in text.splitlines()]
        chain = lines[lines.index("Where the gradients of step 14 came from"):]
        # dH = W2ᵀ·dP; dP = 2(P − Y)/1 = 2(−3 − 1) = −8; the loss's own gradient is 1
        assert chain[2].startswith("← dH (3, 1) [-8 8 -16]")
        assert chain[3].startswith("step 13 layer2.P.grad: dW2 = dP · Hᵀ")
        assert chain[4].startswith("← dP (1, 1) -8")
        assert chain[5] == "step 9 loss.grad: dP = 2·(P − Y) / n"  # the loss's composite, not its parts
        assert chain[6] == "← dloss 1"
        assert chain[7] == "the loss: the backward pass starts here with gradient 1"
        text = await press("g", *"W1.update", "enter")  # the chain stays on for an update too
        assert "Where the gradients of step 18 came from" in text and "← dW1 (3, 2)" in text
        text = await press("w")  # and w hides it
        assert "Where the gradients" not in text
    drive(mlp, script, size=(120, 60))


def test_the_chain_of_an_lstm_weight_meets_at_each_accumulate_step():
    trace = run_example("lstm")
    from tracer.stepper.chain import origins

    update = trace.step("train.0.W_f.update")
    (top,) = origins(trace, update)
    assert trace.steps[top.step].op == "accumulate"  # dW_f adds up the three time steps
    steps, stack = set(), [top]
    while stack:
        o = stack.pop()
        if o.step is not None:
            steps.add(o.step)
        stack += o.parts
    names = {trace.steps[s].name for s in steps}
    assert {"train.0.lstm.t0.z_f.grad", "train.0.lstm.t1.z_f.grad", "train.0.lstm.t2.z_f.grad", "train.0.loss.grad"} <= names


# ---- practice ----------------------------------------------------------------------------------------------
def test_practice_accepts_the_right_value_and_rejects_a_wrong_one(mlp):
    async def script(app, press, pilot):
        text = screen(app)
        assert status(app).startswith("score 0 of 0 · mlp.trace · step 0")
        assert "What is Z[0, 0]?" in text and "1×3" not in text  # the working waits for the answer
        assert bottom(app) == "type the value of Z[0, 0], then enter   ? keys"
        lines = text.splitlines()
        top = next(k for k, line in enumerate(lines) if "Z (3, 1) activation" in line)
        x = lines[top].index("Z (3, 1) activation")
        assert lines[top + 1][x:x + 5].strip() == "?" and lines[top + 2][x:x + 5].strip() == "5"
        text = await press("2", "enter")  # W1·X + b1 at row 0: 1×3 - 1×1 + 0 = 2
        assert "✓ right: Z[0, 0] = 2" in text and "1×3 - 1×1 + 0×1 = 2" in text
        text = await press("j", *"-5", "enter")  # row 1: 2×3 + 0×1 − 1 = 5
        assert "✗ not quite: you typed -5, Z[1, 0] = 5" in text
        await press("3")
        assert bottom(app) == "Z[1, 0] is answered: h j k l pick another cell, → the next step"
        await press("j", "-", "enter")
        assert bottom(app) == "not a number: '-' (type digits, - or .)"
        assert status(app).startswith("score 1 of 2 ·")
        text = await press("q")
        assert "Practice over: 1 of 2 right" in text
        await press("x")
    app = drive(mlp, script, practice=True)
    assert app.return_value == "Practice over: 1 of 2 right"


def test_practice_says_when_a_step_has_no_cell_to_ask():
    with tracer.record() as trace:
        tracer.relu(tracer.tensor(np.zeros((0, 3)), name="empty"), name="none")

    async def script(app, press, pilot):
        await press("4")
        assert bottom(app) == "this step has no output cell to practise on"
    drive(trace, script, practice=True, size=(80, 24))


def test_practice_judges_to_the_printed_precision():
    with tracer.record() as trace:
        tracer.softmax(tracer.tensor([[1.0, 2.0]], name="s"), name="p")  # 0.2689, 0.7311

    async def script(app, press, pilot):
        text = await press(*"0.2649", "enter")  # prints 0.26, the cell prints 0.27
        assert "✗ not quite: you typed 0.2649, p[0, 0] = 0.27" in text
        text = await press("l", *".731", "enter")  # prints 0.73 like the cell: right
        assert "✓ right: p[0, 1] = 0.73" in text
    drive(trace, script, practice=True)


# ---- languages, clicks, size --------------------------------------------------------------------------------
def test_the_stepper_speaks_the_chosen_language(training):
    async def script(app, press, pilot):
        text = screen(app)
        assert status(app).startswith("mlp.trace · 步驟 0（第 1 步，共 48 步） · 前向傳播 · train.0.layer1.Z")
        assert "第 1 次迭代（共 3 次）" in text and "反向傳播" in text
        assert bottom(app).startswith("→ 下一步  ← 上一步  Tab：詳細窗格")
    drive(training, script, lang="zh-Hant")


def test_clicking_a_step_in_the_list_shows_it(mlp):
    async def script(app, press, pilot):
        tree = app.query_one(StepTree)
        line = app.query_one(StepTree).nodes[4].line
        await pilot.click(StepTree, offset=(12, line))
        await pilot.pause()
        assert "step 4 (5 of 21) · Forward pass · layer2.P" in status(app)
        assert tree.cursor_node is app.query_one(StepTree).nodes[4]
    drive(mlp, script)


def test_clicking_an_output_cell_selects_it(mlp):
    async def script(app, press, pilot):
        await press("enter", "right")  # layer1.Z.matmul: W1·X = [2, 6, 1]
        lines = screen(app).splitlines()
        title = next(k for k, line in enumerate(lines) if "matmul (3, 1) activation" in line)
        x = lines[title + 2].rindex("6")
        await pilot.click(offset=(x, title + 2))
        text = await press()
        assert "matmul[1, 0] = 6" in text and "2×3 + 0×1 = 6" in text
    drive(mlp, script)


def upstream(trace: tracer.Trace, tids: set[str], depth: int) -> set[str]:
    """The tensors read by the steps that made ``tids``, ``depth`` steps up (tracer.explain.noise
    reads that far to tell rounding noise from a small value)."""
    out, front = set(tids), set(tids)
    for _ in range(depth):
        makers = {trace.tensors[t].producer for t in front} - {None}
        front = {t for p in makers for t in trace.steps[p].inputs} - out
        out |= front
    return out


def test_thousands_of_steps_open_lazily(tmp_path):
    path = tmp_path / "chain.trace"
    chain_trace(300).save(path)
    trace = tracer.load(path)
    n = len(trace.steps)
    assert n > 2500

    async def script(app, press, pilot):
        assert f"step 0 (1 of {n})" in status(app)
        assert len(app.query_one(StepTree).nodes) < n / 2  # composite children join the tree when first unfolded
        await press("g", *str(n - 1), "enter")
        assert f"step {n - 1} ({n} of {n})" in status(app)
        loaded = [tid for tid, r in trace.tensors.items() if not callable(r._data)]
        shown = set(trace.steps[0].inputs + trace.steps[0].outputs + trace.steps[n - 1].inputs + trace.steps[n - 1].outputs)
        shown |= upstream(trace, shown, HOPS + 1)   # where a small value came from: is it rounding noise?
        assert set(loaded) <= shown | {t for s in trace.steps[0:1] for c in trace.children(s) for t in c.inputs + c.outputs}
        assert len(loaded) < 100 < len(trace.tensors) / 20
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
    command = f"{sys.executable} -m tracer.cli step {path} --practice; echo STEPPER-EXIT-$?; sleep 30"
    subprocess.run(["tmux", "-L", socket, "-f", "/dev/null", "new-session", "-d", "-s", "stepper",
                    "-x", "80", "-y", "24", command], check=True, env={**os.environ, "TERM": "xterm-256color"})
    try:
        pane = _wait_for(socket, "step 0 (1 of 21)")
        assert "Z = W1 · X + b1" in pane
        subprocess.run(["tmux", "-L", socket, "send-keys", "-t", "stepper", "Right", "Space"], check=True)
        pane = _wait_for(socket, "step 4 (5 of 21)")
        assert "P = W2 · H" in pane
        subprocess.run(["tmux", "-L", socket, "send-keys", "-t", "stepper", "-", "3", "Enter"], check=True)
        _wait_for(socket, "✓ right: P[0, 0] = -3")
        subprocess.run(["tmux", "-L", socket, "send-keys", "-t", "stepper", "q"], check=True)
        _wait_for(socket, "Practice over: 1 of 1 right")
        subprocess.run(["tmux", "-L", socket, "send-keys", "-t", "stepper", "x"], check=True)
        pane = _wait_for(socket, "STEPPER-EXIT-0")
        assert "Practice over: 1 of 1 right" in pane  # the score stays in the terminal
    finally:
        subprocess.run(["tmux", "-L", socket, "kill-server"], capture_output=True)


def test_at_80_columns_a_wide_grid_keeps_fewer_columns_instead_of_wrapping():
    """A MiniLM-like attention pattern (9 tokens, two decimals) is wider than the detail pane at
    80×24 with three columns each side of the ⋯: it keeps fewer, and every row stays on its line."""
    tokens = ["[CLS]", "the", "queen", "sat", "on", "a", "throne", ".", "[SEP]"]
    values = np.arange(81.0).reshape(9, 9) / 100 - 0.4
    with tracer.record() as trace:
        tracer.relu(tracer.tensor(values, name="P", rows=tokens, cols=tokens), name="H")

    async def script(app, press, pilot):
        pane = [line.split("│", 1)[1].strip(" ▁▂▃▄▅▆▇█") for line in screen(app).splitlines() if "│" in line]
        for k in (0, 1, 2, 6, 7, 8):  # the rows the grid shows (three each side of the ⋮)
            row = next(line for line in pane if line.startswith(f"{tokens[k]} ") and "0." in line)
            assert "⋯" in row and row.endswith(f"{values[k, -1]:.2f}"), (tokens[k], row)
    drive(trace, script, size=(80, 24))

    async def roomy(app, press, pilot):  # with room, three columns each side as before
        row = next(line for line in screen(app).splitlines() if re.search(r"queen\s+-?0\.", line))
        assert f"{values[2, 2]:.2f}" in row and f"{values[2, 6]:.2f}" in row
    drive(trace, roomy, size=(200, 60))


def test_o_explains_the_next_output_of_a_step_with_several(mlp):
    """layer2.P.grad makes dW2 and dH: o switches the explained output (and back), h j k l move in
    it, a step with one output says so; the help lists the key."""
    async def script(app, press, pilot):
        text = await press("g", *"13", "enter")
        assert "dW2[0, 0] = " in text and app.output == 0
        text = await press("o")
        assert app.output == 1 and app.cell == (0, 0)
        assert "dH[0, 0] = " in text and "dW2[0, 0] = " not in text
        assert bottom(app) == phrase("output_of", "en").format(k=2, n=2, name="dH")
        text = await press("j")
        assert app.cell == (1, 0) and "dH[1, 0] = " in text
        working = explain_text(app)
        assert "dH[1, 0] = " + app.trace.tensors[app.trace.steps[13].outputs[1]].data[1, 0].__format__("g") in working
        await press("o")
        assert app.output == 0 and "dW2[0, 0] = " in screen(app)
        await press("g", *"12", "enter")
        await press("o")
        assert app.output == 0 and bottom(app).startswith("step 12 has one output")
        text = await press("question_mark")
        assert re.search(r"\so {5,}the next output of a step with several", text)
    drive(mlp, script)


def explain_text(app: StepperApp) -> str:
    from tracer.stepper.app import Static
    return str(app.query_one("#working", Static).render())
