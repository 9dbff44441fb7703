"""The backward pass of a composite recorded lazily with a graph (see :mod:`tracer.ops.lazy`).

Only for the composites whose fused vjp gives the children's chain's bits (``lazy.CHAIN_EXACT``:
the squared errors). The composite is one graph node whose vjp is the fused rule; when
``backward()`` reaches it, the children's gradient steps are stamped as the children's nodes would
have recorded them: the composite's backward group, then one step per child in the reverse of the
order they ran, each gradient registered in the same order. A gradient that leaves the composite
(its inputs') is the fused vjp's array; a child's own is a record that runs the children's forward
and backward passes from the composite's output gradient when first read.
"""
from __future__ import annotations

import functools
from typing import Any

import numpy as np

from ..tensor import Tensor
from ..trace import Step, TensorRecord, Trace

# One child's gradient step: (the child's scratch step id, its op, [(position of the input, the
# scratch id of its gradient, the composite's input index or None, the gradient's record fields)]).
Back = list[tuple[int, str, list[tuple[int, str, int | None, tuple[Any, ...]]]]]


def learn_backward(scratch: Trace, n_steps: int, n_tensors: int, inputs: dict[str, int]) -> Back | None:
    """The gradient steps a scratch recording's backward pass wrote after its ``n_steps`` forward
    steps, or ``None`` when they are not the plain shape the stamp writes (one group, then one step
    per child, each gradient a new record, no gradient added to another)."""
    from ..autograd import _grad_step

    steps = scratch._steps
    group = steps[n_steps] if len(steps) > n_steps else None
    if not isinstance(group, Step) or group.grad_of != 0 or group.phase != "backward":
        return None
    order = [list(scratch.tensors)[n_tensors]]  # the seed, the gradient backward() started from
    back: Back = []
    for sid in range(n_steps + 1, len(steps)):
        step = steps[sid]
        if type(step) is not tuple or step[0] is not _grad_step or step[6] != n_steps:
            return None
        _, op, _name, _inputs, outputs, grad_map, _parent, _depth, fwd_id = step
        fwd_inputs = scratch.built(fwd_id).inputs
        if len(grad_map) != len(outputs) or len(set(fwd_inputs)) != len(fwd_inputs):
            return None
        grads = []
        for xid, gid in grad_map.items():
            r = scratch.tensors[gid]
            grads.append((fwd_inputs.index(xid), gid, inputs.get(xid), (r.labels, r.data.nbytes, r.dtype, r.shape)))
            order.append(gid)
        back.append((fwd_id, op, grads))
    if order != list(scratch.tensors)[n_tensors:]:
        return None
    return back


class _Lazy:
    """What the composite's node needs to stamp its children's gradient steps."""

    __slots__ = ("parent", "back", "offset", "kids", "tpl")

    def __init__(self, parent: int, tpl: Any, kids: Any) -> None:
        self.parent, self.back, self.offset, self.kids, self.tpl = parent, tpl.back, parent, kids, tpl


def link(spec: Any, present: list[Tensor], parent: Step, rec: Any, tpl: Any, vjp: Any, kids: Any) -> Any:
    """The composite's graph node: its vjp is the fused rule's (every input present)."""
    from .core import Node

    def fused_vjp(g: Any, need: tuple[bool, ...]) -> tuple[np.ndarray | None, ...]:
        kids.g = g  # a child's gradient, when read, runs the children's backward pass from it
        return vjp(g, need)
    node = Node(spec, present, fused_vjp, 1)
    node.step, node.rec, node.lazy = parent.id, rec, _Lazy(parent.id, tpl, kids)
    return node


def record(recording: Any, node: Any, grads: list[np.ndarray | None]) -> None:
    """Stamp the children's gradient steps of the lazy composite ``node`` (``grads``: its inputs')."""
    from ..autograd import _grad_fill, _grad_step
    from .core import REGISTRY, register, step_links

    lazy: _Lazy = node.lazy
    if node.rec is not recording.rec:
        _outside(recording, node, grads)
        return
    trace, rec = recording.trace, recording.rec
    steps, tensors, ids, latest = trace._steps, trace.tensors, rec.ids, recording.latest
    recording._enter(lazy.parent)  # the composite's backward group (and its parents')
    group = recording.groups[-1][1].id
    depth = len(recording.groups)
    later = lazy.kids.grad
    for fwd_rel, op, gradients in lazy.back:
        fwd_id = fwd_rel + lazy.offset
        fwd_name, fwd_inputs, fwd_outputs, _ = step_links(trace, fwd_id)
        inputs = [latest[o] for o in fwd_outputs if o in latest]
        inputs += fwd_inputs
        outputs: list[str] = []
        grad_map: dict[str, str] = {}
        sid = len(steps)
        spec = REGISTRY[op]
        steps.append((_grad_step, op, rec.unique(fwd_name + ".grad"), inputs, outputs, grad_map, group, depth,
                      fwd_id))
        trace._pending.append((_grad_fill, sid, spec, fwd_id))
        for pos, stid, k, (labels, nbytes, dtype, shape) in gradients:
            xid = fwd_inputs[pos]
            name = f"d{tensors[xid].name}"
            if k is not None:  # leaves the composite: the fused vjp's array, as backward() goes on with it
                g = grads[k]
                gid = ids.get(id(g))
                if gid is None:
                    gid = register(trace, g, name, "grad", node.inputs[k].labels, sid, xid)
            else:
                gid = f"t{len(tensors)}"
                rec.held += nbytes
                if rec.held > rec.limit:
                    rec.over()
                tensors[gid] = TensorRecord(gid, name, shape, dtype, "grad", sid, xid, 0, labels,
                                            functools.partial(later, stid))
            if xid not in latest:
                latest[xid] = gid
            outputs.append(gid)
            grad_map[xid] = gid


def _outside(recording: Any, node: Any, grads: list[np.ndarray | None]) -> None:
    """The composite ran before this recording (or in another): one step per child, as its
    children's nodes give (``_Recording._outside_step``), on the children's arrays run again."""
    from types import SimpleNamespace

    from .core import REGISTRY

    lazy: _Lazy = node.lazy
    made = lazy.kids.grads_all()
    tensors: dict[str, Tensor] = {}

    def tensor(ref: tuple[Any, ...]) -> Tensor:
        if ref[0] == "in":
            return node.inputs[ref[1]]
        if ref[0] == "c":
            t = Tensor._result(ref[1], ref[2], None, 0)
            t.kind, t.labels, t.version = ref[3], ref[4], ref[5]
            return t
        if ref[1] not in tensors:  # a child's output, one Tensor for all its uses
            name, kind, labels, _, _, _, version = lazy.tpl.records[ref[1]]
            t = tensors[ref[1]] = Tensor._result(made[ref[1]], name, None, 0)
            t.kind, t.labels, t.version = kind, labels, version
        return tensors[ref[1]]
    for fwd_rel, op, gradients in lazy.back:
        refs = lazy.tpl.steps[fwd_rel - 1][6]
        inputs = [tensor(ref) for ref in refs]
        given: list[np.ndarray | None] = [None] * len(inputs)
        for pos, stid, k, _ in gradients:
            given[pos] = grads[k] if k is not None else made[stid]
        recording._outside_step(SimpleNamespace(spec=REGISTRY[op], inputs=inputs), given)
