"""Every operand on screen in the update phase (issue 9): as an optimiser's step starts being
worked, every tensor its first cell reads — the weight W, its gradient dW, Adam's m and v,
RMSprop's v, the weight a decay multiplies — has a grid whole in the camera's work area (the
learning rate and the other hyper-parameters are numbers written in the working, not tensors).

Laid out as :mod:`tests.test_scenes_operands` lays out the forward and backward passes (one still,
every beat before it in a skipped section; the stage records each working's view and grids).
"""
from __future__ import annotations

import pytest

pytest.importorskip("manim")

from .example_runs import run  # noqa: E402
from .test_scenes_operands import missing_operands, workings  # noqa: E402

QUICK = ["transformer_block", "sparse_autoencoder"]
# the other examples whose walkthrough plays an update (exploding_gradients: SGD, clipping, Adam,
# RMSprop and L2 weight decay; anomaly_detection: Adam)
SLOW = ["anomaly_detection", "autoencoder", "mlp_backprop", "perceptron", "word_autoencoder",
        "vanishing_gradients", "exploding_gradients", "rnn", "gradient_through_time"]


def check_update(name: str, folder) -> None:
    trace, plan, seen = workings(name, folder)
    played = [b for b in plan.step_beats if b.step.phase == "update" and b.step.outputs]
    mine = [w for w in seen if trace.steps[w["step"]].phase == "update"]
    if not played:
        pytest.skip(f"{name}'s walkthrough plays no update")
    assert mine, f"{name}: {len(played)} update beats, none worked"
    problems = [p for w in mine for p in missing_operands(trace, w)]
    assert not problems, problems


@pytest.mark.parametrize("name", QUICK)
def test_every_operand_is_in_view_when_an_update_step_uses_it(name, tmp_path):
    check_update(name, tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize("name", SLOW)
def test_every_operand_is_in_view_in_every_update(name, tmp_path):
    check_update(name, tmp_path)


def test_an_adam_update_chapter_names_adam_not_sgd():
    """word_autoencoder trains with Adam: the chapter that works one weight's update names the rule
    played (m, v and W), not plain SGD's W ← W − η·dW."""
    trace = run("word_autoencoder")
    titles = [c["title"]["en"] for c in trace.meta["story"]["chapters"]
              if trace.steps[c["steps"][0]].phase == "update" and c["play"] == "full"]
    assert titles and all("Adam" in t and "η·dW" not in t for t in titles), titles
