"""Nothing stale left on screen (issue 9): a grid whose tensor the step being played does not read
and no step to come before the next card reads fades out. The SAE's l1 step (Σ |f| ⊙ norm_weights)
is worked without X or X̂ − X from the reconstruction error beside it; weights whose gradient or
update comes later stay.
"""
from __future__ import annotations

import pytest

pytest.importorskip("manim")

from .test_scenes_operands import missing_operands, workings  # noqa: E402


def _whole(box, area) -> bool:
    return bool((box[0][:2] >= area[0] - 1e-6).all() and (box[1][:2] <= area[1] + 1e-6).all())


def test_the_reconstruction_error_leaves_before_the_penalty_is_worked(tmp_path):
    trace, _, seen = workings("sparse_autoencoder", tmp_path)
    at_l1 = [w for w in seen if trace.steps[w["step"]].name.startswith("sparsity.l1")]
    assert at_l1
    recon = trace.step("reconstruction")
    x, diff = recon.inputs[1], trace.parts(recon)["diff"].outputs[0]
    assert trace.tensors[x].name == "X"
    for w in at_l1:
        stale = [tid for tid in (x, diff) if tid in w["drawn"] and _whole(w["drawn"][tid], w["area"])]
        assert not stale, [trace.tensors[t].name for t in stale]
        assert not missing_operands(trace, w)   # what the penalty reads is still there
    # the reconstruction's X was on screen while it was worked (the check above is not vacuous)
    at_recon = [w for w in seen if trace.steps[w["step"]].name.startswith("reconstruction")]
    assert at_recon and all(x in w["drawn"] for w in at_recon)


def test_a_weight_whose_update_comes_after_a_card_leaves_the_lstm_cell(tmp_path):
    """The LSTM's i ⊙ g (``written``) is worked without W_g beside it: W_g's update, chapters
    away, does not keep its grid on the canvas of timestep 1."""
    trace, _, seen = workings("lstm", tmp_path)
    w_g = next(t.id for t in trace.tensors.values() if t.name == "W_g")
    at_zg = [w for w in seen if trace.steps[w["step"]].name == "lstm.t0.z_g"]
    assert at_zg and all(w_g in w["drawn"] for w in at_zg)   # it was there while z_g was worked
    at_written = [w for w in seen if trace.steps[w["step"]].name == "lstm.t0.written"]
    assert at_written
    for w in at_written:
        assert not (w_g in w["drawn"] and _whole(w["drawn"][w_g], w["area"]))
        assert not missing_operands(trace, w)
