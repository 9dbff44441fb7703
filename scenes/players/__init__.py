"""One player per op family, chosen from the step's op through a registry.

A player is a function ``play(stage, step)`` that places the step's grids (reusing what the stage
already shows) and animates it. ``FORWARD`` maps forward ops, ``BACKWARD`` maps the op of the
forward step a gradient step differentiates, ``UPDATE`` maps optimiser steps; anything else goes to
the generic player (inputs → outputs with the formula), so any trace renders.

>>> from scenes.players import FORWARD, BACKWARD
>>> FORWARD["matmul"].__name__, BACKWARD["relu"].__name__
('play_matmul', 'play_relu_grad')
"""
from __future__ import annotations

from typing import Callable

from tracer.trace import Step, Trace

Player = Callable[..., None]

FORWARD: dict[str, Player] = {}
BACKWARD: dict[str, Player] = {}
UPDATE: dict[str, Player] = {}


def register(table: dict[str, Player], *ops: str) -> Callable[[Player], Player]:
    def deco(fn: Player) -> Player:
        for op in ops:
            table[op] = fn
        return fn
    return deco


def player_for(trace: Trace, step: Step) -> Player:
    """The player of ``step``: by op for forward and update steps, by the forward op for
    gradients; the generic player when none is registered."""
    if step.phase == "update":
        return UPDATE.get(step.op, generic.play_generic)
    if step.phase == "backward":
        if step.op == "accumulate":
            return BACKWARD.get("accumulate", generic.play_generic_grad)
        fwd = trace.steps[step.grad_of].op if step.grad_of is not None else None
        return BACKWARD.get(fwd, generic.play_generic_grad)
    return FORWARD.get(step.op, generic.play_generic)


# the modules register their players on import
from . import elementwise, generic, loss, matmul, reduce, softmax, structural, update  # noqa: E402,F401
from . import concat, gradients  # noqa: E402,F401  (after the others: gradients fills what they leave)
