"""What an op is: its declaration (:class:`OpSpec`), the families readers key on, and the registry
of every op declared.

The registry is filled as the op modules are imported (:mod:`tracer.ops.declare`); readers (the
cell working, the stepper, the scenes) look an op up by the name a step records.

>>> import tracer
>>> spec = REGISTRY["relu"]
>>> spec.family, spec.params, family_of("softmax"), family_of("no such op")
('elementwise', ('x',), 'normalization', '')
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

# What an op *is*: readers (the cell working, the stepper, the scenes) key on the family, never on
# a list of op names.
FAMILIES: dict[str, str] = {
    "elementwise": "each output entry from the entries at the same place (with broadcasting)",
    "contraction": "each output entry a sum of products (matmul)",
    "reduction": "entries added, averaged or compared along axes (sum, mean, max)",
    "structural": "entries moved, cut, joined or picked, never changed (transpose, concat, gather)",
    "normalization": "a composite that rescales along an axis (softmax, layer norm)",
    "layer": "a composite a network is built from (a linear layer, attention)",
    "loss": "a composite that scores outputs against targets",
    "update": "an optimiser's change of a parameter, or of its gradients",
    "gradient": "bookkeeping of the backward pass (adding the gradients of a shared tensor)",
}


@dataclass(frozen=True)
class OpSpec:
    """One op's declaration: what the trace, the stepper and the scenes know about it."""

    name: str
    formula: str
    grad: str
    narration: str
    params: tuple[str, ...]
    varargs: bool
    composite: bool
    phase: str = "forward"
    check: Callable[..., str | None] | None = None
    defaults: tuple[tuple[str, Any], ...] = ()  # keyword attributes a call may leave out (axis=None)
    # The working of one output cell from the input cells (tracer.explain): ``{a} + {b}``, one
    # template per output; and of each input's gradient cell, one template per input, from the
    # cell of d{out} ({g}), the input cells, the output cell ({o}) and the count per output ({n}).
    cell: str | tuple[str, ...] = ""
    cell_grad: str | tuple[str, ...] = ""
    forward: Callable[..., Any] | None = None  # the body: the cell working recomputes a cell with it
    family: str = ""                 # one of FAMILIES
    parts: tuple[str, ...] = ()      # a composite's named sub-steps (its children's Step.part)
    labels: Callable[..., Any] | None = None  # how axis names travel, when the family rule does not say
    # A composite's whole forward and backward in one NumPy function (arrays in, ``(out, vjp)`` out,
    # ``None`` for an optional input left out): the same values as its children, without an op and
    # a graph node for each of them; it may return ``None`` to decline (the children run). A
    # recorded run still shows the children, their arrays made when read (tracer.ops.lazy).
    fused: Callable[..., Any] | None = None
    # Each output cell is its input cells added, each times a constant of the op (a + b, W − η·dW, a
    # gradient's shares): a reader redoes it from the cells as drawn, so they are drawn with the
    # decimals that make it add up, and its working is written from them (tracer.explain.digits)
    sums: bool = False


REGISTRY: dict[str, OpSpec] = {}


def family_of(op: str) -> str:
    """The declared family of ``op`` (empty for an op this version does not know)."""
    spec = REGISTRY.get(op)
    return spec.family if spec is not None else ""
