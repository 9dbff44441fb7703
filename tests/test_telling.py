"""The first cell worked is the one that teaches (:func:`scenes.players.cells.telling_first`),
and its arithmetic is worked out once: the working telling_first looked at is the one the video
shows, not explained a second time when the cell is worked."""
from __future__ import annotations

from collections import Counter

import pytest

pytest.importorskip("manim")

import tracer  # noqa: E402
from scenes.players import cells  # noqa: E402

from .test_scenes_players2 import run  # noqa: E402


def product() -> tracer.Trace:
    """A product whose first cell is 0×0 + 0×0 = 0 (telling_first passes it over) and a ReLU."""
    with tracer.record(title="Telling") as trace:
        W = tracer.param([[0.0, 0.0], [1.5, -2.0]], name="W")
        x = tracer.tensor([[0.0, 1.0], [0.0, 3.0]], name="x")
        tracer.relu(tracer.matmul(W, x, name="z"), name="y")
    return trace


def test_each_cell_worked_is_explained_once(tmp_path, monkeypatch):
    told: Counter = Counter()
    explain = cells.explain

    def counted(trace, step, index, output=0, **kw):
        told[(step.id, tuple(index), output)] += 1
        return explain(trace, step, index, output=output, **kw)
    monkeypatch.setattr(cells, "explain", counted)
    trace = product()
    plan, stage = run(trace, tmp_path, video=True)
    assert told, "nothing was worked"
    assert max(told.values()) == 1, [(trace.steps[s].name, i, n) for (s, i, o), n in told.items() if n > 1]
    first = [w for w in stage.workings if trace.steps[w["step"]].name == "z"]
    assert first and tuple(first[0]["cell"]) != (0, 0)   # 0×0 + 0×0 = 0 is not the cell worked first
