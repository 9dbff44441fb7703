"""One player per op or op family, found by one lookup: the step's op's player (or, for an op
without one, its declared family's), then the generic player (inputs → outputs with the formula;
for an update :func:`.generic.play_generic_update`, the old value named as the old one), so any
trace renders.

A player is a function ``play(stage, step)`` that places the step's grids (reusing what the stage
already shows) and animates it; one that cannot show a step returns :data:`DECLINE` before it draws
anything, and the generic player shows it. ``FORWARD`` holds the players of forward steps,
``BACKWARD`` of gradient steps (keyed by the op of the forward step they differentiate), ``UPDATE``
of optimiser steps; a key is an op's name or ``family:<family>``.

>>> from scenes.players import FORWARD, BACKWARD
>>> FORWARD["matmul"].__name__, BACKWARD["relu"].__name__, FORWARD["family:elementwise"].__name__
('play_matmul', 'play_relu_grad', 'play_elementwise')
"""
from __future__ import annotations

from typing import Callable

from tracer.ops.spec import REGISTRY
from tracer.trace import Step, Trace

from .. import style

Player = Callable[..., object]
DECLINE = object()  # what a player returns when the step is not one it can show

FORWARD: dict[str, Player] = {}
BACKWARD: dict[str, Player] = {}
UPDATE: dict[str, Player] = {}


def register(table: dict[str, Player], *ops: str, family: str | None = None,
             in_place: bool = False) -> Callable[[Player], Player]:
    """Register a player for ops by name, or for every op of a declared ``family``; ``in_place``
    when it writes the output over the input's cells (the layout makes them wide enough)."""
    def deco(fn: Player) -> Player:
        for key in ops + ((f"family:{family}",) if family else ()):
            table[key] = fn
        if in_place:
            style.IN_PLACE.update(ops)
        return fn
    return deco


def players_for(trace: Trace, step: Step) -> list[Player]:
    """The chain for ``step``: its op's player or else its family's (when either is registered),
    then the generic player (a family's player is for an op's relatives, not for a case the op's
    own player turned down)."""
    op = step.op
    if step.phase == "update":
        table, last = UPDATE, generic.play_generic_update
    elif step.phase == "backward":
        table, last = BACKWARD, generic.play_generic_grad
        op = trace.steps[step.grad_of].op if step.grad_of is not None else step.op
    else:
        table, last = FORWARD, generic.play_generic
    spec = REGISTRY.get(op)
    keys = [op] + ([f"family:{spec.family}"] if spec is not None else [])
    return [table[k] for k in keys if k in table][:1] + [last]


def player_for(trace: Trace, step: Step) -> Player:
    """The first player of ``step``'s chain (the one that shows it unless it declines)."""
    return players_for(trace, step)[0]


def play(stage, step: Step) -> None:
    """Show ``step`` with the first player of its chain that does not decline."""
    for player in players_for(stage.trace, step):
        if player(stage, step) is not DECLINE:
            return


# the modules register their players on import
from . import elementwise, generic, loss, matmul, matmul_grad, reduce, softmax, structural, update  # noqa: E402,F401
from . import concat, gradients  # noqa: E402,F401
