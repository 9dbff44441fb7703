"""The backward steps of a composite whose fused rule ran while recording (:mod:`tracer.ops.lazy`).

Its gradient flows through one graph node, the fused vjp (``OpSpec.fused``). The trace still gets
every step the children's backward pass records, in the same order, with the same names, tensor
ids and groups, their ``accumulate`` steps included (:func:`record_children` walks the children's
forward steps back as ``backward()`` walks their nodes), but the arrays of those steps are made
when the trace is read: the first read of any of them runs the children once more, with a graph,
in a scratch recording, backward from the gradient the composite's output got (:class:`_Values`).

The gradient each input of the composite ends with is the array that flowed on, the fused rule's.
Softmax's and the norms' fused vjps take fewer passes than their children's chain, so that array
and the chain's sum of the same contributions differ in the last bits (about 1e-16 relative): far
below any printed precision, but a trace is no longer byte for byte the one eager children give
(:func:`tracer.ops.lazy.eager_children` records that one).

A second ``backward()`` through the same composite records the children's steps again; it has no
``grad_total`` step for the children's own tensors, which keep no gradient here (eagerly, each
child tensor adds its new gradient to the one it kept from the first pass).
"""
from __future__ import annotations

import functools
import math
import weakref
from typing import Any

import numpy as np

from ..tensor import Tensor
from ..trace import TensorRecord
from .core import Node, step_links
from .spec import REGISTRY

_ITEMSIZE: dict[str, int] = {}  # dtype string -> bytes per entry
Recipe = tuple[Any, ...]  # ("c", child step, k) | ("+", gid, gid) | ("r", TensorRecord)


def _links(steps: list, sid: int) -> tuple[str, str, list[str], list[str], int | None]:
    """The op, name, inputs, outputs and parent of step ``sid`` (a tuple or a built Step)."""
    s = steps[sid]
    if type(s) is tuple:
        return s[2], s[3], s[4], s[5], s[7]
    return s.op, s.name, s.inputs, s.outputs, s.parent


def _part(steps: list, sid: int) -> str:
    """The part a child step plays: the name its tensor had eagerly (before a head's renaming)."""
    s = steps[sid]
    return s[10] if type(s) is tuple else s.part


def record_children(recording: Any, node: Node, g_out: np.ndarray, finals: list[np.ndarray | None]) -> None:
    """Append the backward steps the children of ``node``'s composite would record, as eagerly.

    ``recording`` is the ``backward()`` call's :class:`tracer.autograd._Recording`; ``g_out`` the
    gradient of the composite's output; ``finals`` the gradient each input ends with after this
    node (``None``: it gets none), the real arrays the backward pass goes on with.
    """
    from ..autograd import ACCUMULATE, _grad_fill, _grad_step  # here: autograd imports ops

    trace, rec = recording.trace, recording.rec
    steps, records, latest = trace._steps, trace.tensors, recording.latest
    kids, end = node.lazy
    top = node.step
    comp_inputs = steps[top].inputs  # a composite is appended as a Step
    values = _Values(kids, tuple([x.requires_grad for x in node.inputs]), g_out)
    if kids.grads is None:  # a read of the forward arrays runs this pass, which makes them too
        kids.grads = weakref.ref(values)
    given: dict[str, Tensor] = {}  # an input's tensor: its labels and name, as eagerly
    carries: dict[str, bool] = {}  # trace tid -> whether a gradient flows back to it
    for x, xid in zip(node.inputs, comp_inputs):
        given[xid] = x
        carries[xid] = carries.get(xid, False) or x.requires_grad
    order: list[int] = []  # the children that got a graph node eagerly: one input carries a gradient
    for sid in range(top + 1, end):
        op, _, inputs, outputs, _ = _links(steps, sid)
        if REGISTRY[op].composite:  # a nested composite's own step: its children are in the range
            continue
        for i in inputs:
            if carries.get(i):
                for o in outputs:
                    carries[o] = True
                order.append(sid)
                break
    groups = recording.groups
    for sid in reversed(order):
        op, fwd_name, fwd_inputs, fwd_outputs, fwd_parent = _links(steps, sid)
        g_ids = [latest[o] for o in fwd_outputs if o in latest]
        if not g_ids:  # no gradient reached this child's output
            continue
        if fwd_parent != (groups[-1][0].id if groups else None):
            recording._enter(fwd_parent)
        gsid = len(steps)
        outputs: list[str] = []
        grad_map: dict[str, str] = {}
        steps.append((_grad_step, op, rec.unique(fwd_name + ".grad"), g_ids + fwd_inputs, outputs, grad_map,
                      groups[-1][1].id if groups else None, len(groups), sid))
        trace._pending.append((_grad_fill, gsid, REGISTRY[op], sid))
        new: list[tuple[str, str]] = []
        for xid in fwd_inputs:
            if carries.get(xid):
                gid = values.add(trace, records[xid], given.get(xid), gsid, ("c", sid - top, len(outputs)))
                outputs.append(gid)
                grad_map[xid] = gid
                new.append((xid, gid))
        had = {xid for xid, _ in new if xid in latest}  # a gradient before this child's: added to it
        for xid, gid in new:
            if xid not in latest:
                latest[xid] = gid
        for xid, gid in new:
            if xid not in had:
                had.add(xid)
                continue
            x, r = given.get(xid), records[xid]
            label = step_links(trace, r.producer)[0] if r.producer is not None else (x.name if x is not None else r.name)
            step = recording._new_step("accumulate", f"{label}.grad_sum", [latest[xid], gid], attrs={"tensor": xid})
            total = values.add(trace, r, x, step.id, ("+", latest[xid], gid))
            step.outputs.append(total)
            step.grad_map = {xid: total}
            out = records[total].name
            step.formula = f"{out} = {out} + {out}′"
            step.narration = ACCUMULATE.narration.format(x=x.name if x is not None else _part(steps, r.producer))
            latest[xid] = total
    for xid, final in zip(comp_inputs, finals):  # what flowed on: the fused rule's gradient
        if final is not None:
            gid = latest[xid]
            records[gid]._data = final
            values.recipes[gid] = ("r", records[gid])
            rec.ids[id(final)] = gid


class _Values:
    """The arrays of one composite's lazy backward records, made on first read. A record's recipe is
    a child's k-th input gradient (from the scratch run), a sum of two records (an accumulate step,
    added as ``backward()`` adds), or a record holding a real array. Refers to the composite's
    inputs and gradients, never to the trace."""

    __slots__ = ("kids", "need", "g_out", "recipes", "made", "grads", "__weakref__")

    def __init__(self, kids: Any, need: tuple[bool, ...], g_out: np.ndarray) -> None:
        self.kids, self.need, self.g_out = kids, need, g_out
        self.recipes: dict[str, Recipe] = {}
        self.made: dict[str, np.ndarray] = {}
        self.grads: dict[tuple[int, int], np.ndarray] | None = None

    def add(self, trace: Any, like: TensorRecord, x: Tensor | None, producer: int, recipe: Recipe) -> str:
        """Register a gradient record of the tensor ``like`` whose array ``recipe`` makes on read."""
        rec, tensors = trace._rec, trace.tensors
        if recipe[0] == "+":  # an operand that is not this composite's holds its array
            recipe = ("+", *[g if g in self.recipes else ("r", tensors[g]) for g in recipe[1:]])
        tid = f"t{len(tensors)}"
        self.recipes[tid] = recipe
        size = _ITEMSIZE.get(like.dtype)
        if size is None:
            size = _ITEMSIZE[like.dtype] = np.dtype(like.dtype).itemsize
        rec.held += math.prod(like.shape) * size
        if rec.held > rec.limit:
            rec.over()
        tensors[tid] = TensorRecord(tid, f"d{like.name}", like.shape, like.dtype, "grad", producer, like.id, 0,
                                    x.labels if x is not None else like.labels, functools.partial(self.array, tid))
        return tid

    def array(self, gid: str) -> np.ndarray:
        a = self.made.get(gid)
        if a is None:
            a = self.made[gid] = self._make(self.recipes[gid])
        return a

    def _make(self, recipe: Recipe | str) -> np.ndarray:
        if type(recipe) is str:
            return self.array(recipe)
        kind = recipe[0]
        if kind == "r":
            return recipe[1].data
        if kind == "+":
            total = np.asarray(self._make(recipe[1]) + self._make(recipe[2]))  # as backward() adds
            total.setflags(False)
            return total
        if self.grads is None:
            self.run()
        return self.grads[(recipe[1], recipe[2])]  # type: ignore[index]

    def run(self) -> None:
        """The children's backward pass, run eagerly in a scratch recording: each child step's input
        gradients, by the child's place under the composite and the gradient's place in its step."""
        from .lazy import _scratch

        kids = self.kids
        present = []
        for a, need in zip(kids.arrays, self.need):
            t = Tensor._result(a, "x", None, 0)
            t.requires_grad = need
            present.append(t)
        scratch = _scratch(kids.spec, kids.fn, kids.args, present, kids.attrs, self.g_out)
        if kids.made is None:  # the forward arrays came with it, under the same ids
            kids.made = {tid: r.data for tid, r in scratch.tensors.items()}
        grads: dict[tuple[int, int], np.ndarray] = {}
        for s in scratch.steps:
            if s.phase == "backward" and s.grad_of is not None and not REGISTRY[s.op].composite:
                for k, gid in enumerate(s.outputs):
                    grads[(s.grad_of, k)] = scratch.tensors[gid].data
        self.grads = grads
