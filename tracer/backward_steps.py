"""The backward steps a trace records: one per op differentiated, an ``accumulate`` step where a
tensor's gradients from several ops are added, group steps mirroring the forward composites, and
the children's steps of a composite whose fused rule ran (:meth:`Recording.fused_children`).

:func:`tracer.autograd.backward` walks the graph and computes; a :class:`Recording` writes what it
did into the active trace. A gradient step is kept as a tuple and built as a :class:`Step` when the
trace is read (``Trace.lazy``); its formula and narration are written then too.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from .ops.core import Node, step_links
from .ops.lazy_grads import Values
from .ops.records import register, tensor_id
from .i18n import with_shares
from .ops.spec import REGISTRY, OpSpec
from .ops.templates import named_grads, render
from .shares import name_new, name_shares
from .tensor import Tensor
from .trace import Step, Trace

ACCUMULATE = OpSpec("accumulate", formula="{out} = {a} + {b}", grad="", params=("a", "b"),
                    narration="{x} feeds more than one op: add up the gradients that flow back from each.",
                    varargs=False, composite=False, phase="backward", family="gradient", sums=True)
REGISTRY["accumulate"] = ACCUMULATE
CARRY = OpSpec("grad_total", formula="{out} = {a} + {b}", grad="", params=("a", "b"),
               narration="{x} kept a gradient from an earlier backward(): this one is added to it "
                         "(gradients add up until zero_grad()).",
               varargs=False, composite=False, phase="backward", family="gradient", sums=True)
REGISTRY["grad_total"] = CARRY

BACKWARD_NARRATION = "Send the gradient back through {op}: {grad}"


def _grad_text(trace: Trace, step: Step, spec: OpSpec, fwd: Step) -> None:
    """The gradient formula written with the forward step's tensor names (filled when read)."""
    names = [trace.tensors[t].name for t in fwd.inputs]
    outs = [trace.tensors[t].name for t in fwd.outputs]
    step.formula = named_grads(trace, step, render(spec.grad, spec, names, outs, fwd.attrs))
    step.narration = BACKWARD_NARRATION.format(op=spec.name, grad=step.formula)


def _grad_step(trace: Trace, sid: int, op: str, name: str, inputs: list[str], outputs: list[str],
               grad_map: dict[str, str], parent: int | None, depth: int, fwd_id: int) -> Step:
    """The backward step of forward step ``fwd_id``, recorded as a tuple (see ``Trace.lazy``)."""
    fwd = trace.built(fwd_id)
    return Step(sid, "backward", op, name, inputs, outputs, fwd.attrs, parent, depth, fwd.src,
                grad_of=fwd_id, grad_map=grad_map, part=fwd.part)


def _grad_fill(trace: Trace, sid: int, spec: OpSpec, fwd_id: int) -> None:
    _grad_text(trace, trace.built(sid), spec, trace.built(fwd_id))


def _outside_text(trace: Trace, step: Step, spec: OpSpec, names: list[str]) -> None:
    """The formula of a gradient step whose forward pass ran before recording, its gradients named
    as their records (``dx″`` once an accumulate step has named it so)."""
    step.formula = named_grads(trace, step, render(spec.grad, spec, names, ["out"], {}))
    step.narration = BACKWARD_NARRATION.format(op=spec.name, grad=step.formula)


def _sum_text(trace: Trace, step: Step) -> None:
    """An accumulate or grad_total step's formula from its records' names when read (a later
    ``backward()`` may rename its output ``dx_new``); an accumulate step's narration ends with
    where each gradient it adds came from (:func:`tracer.i18n.told`)."""
    a, b, out = (trace.tensors[t].name for t in step.inputs + step.outputs)
    step.formula = f"{out} = {a} + {b}"
    if step.op == "accumulate":
        step.narration = with_shares(trace, step, step.narration)


class Recording:
    """Writes the backward steps of one ``backward()`` call into the active trace."""

    def __init__(self, trace: Trace) -> None:
        self.trace = trace
        self.rec = trace._rec
        self.latest: dict[str, str] = {}  # forward tensor id -> id of its gradient so far
        self.groups: list[tuple[Step, Step]] = []  # (forward composite, its backward step)
        self.shares = self.rec.shares  # forward tensor id -> contributions named so far, in the whole trace

    def _grad_id(self, x: Tensor, g: np.ndarray, producer: int | None, total: bool = True,
                 fwd: str | None = None) -> str:
        """Register a gradient of ``x`` (trace id ``fwd``); a partial contribution waits for its
        accumulate step."""
        fwd = fwd or tensor_id(self.trace, x)
        gid = self.rec.ids.get(id(g))
        if gid is None:  # a gradient is named along its axes as its tensor
            g.flags.writeable = False
            # named after the trace's record of x (a head's scores renamed scores₁ there: dscores₁)
            gid = register(self.trace, g, f"d{self.trace.tensors[fwd].name}", "grad", x.labels, producer, fwd)
        if total or fwd not in self.latest:
            self.latest[fwd] = gid
        return gid

    def seed(self, loss: Tensor, g0: np.ndarray) -> None:
        self._grad_id(loss, g0, None)

    def _new_step(self, op: str, name: str, inputs: list[str], **kw: object) -> Step:
        parent = self.groups[-1][1] if self.groups else None
        step = Step(len(self.trace._steps), "backward", op, self.rec.unique(name), inputs, [],
                    parent=None if parent is None else parent.id, depth=len(self.groups), **kw)
        self.trace._steps.append(step)
        return step

    def _enter(self, parent: int | None) -> None:
        """Open / close backward group steps so they mirror the forward composite chain above a
        step whose parent is ``parent``."""
        chain: list[int] = []
        p = parent
        while p is not None:
            chain.append(p)
            p = self.trace.built(p).parent
        chain.reverse()
        i = 0
        while i < min(len(chain), len(self.groups)) and self.groups[i][0].id == chain[i]:
            i += 1
        while len(self.groups) > i:
            self._close(*self.groups.pop())
        for pid in chain[i:]:
            parent_step = self.trace.built(pid)
            spec = REGISTRY[parent_step.op]
            step = self._new_step(parent_step.op, f"{parent_step.name}.grad",
                                  [self.latest[o] for o in parent_step.outputs if o in self.latest],
                                  src=parent_step.src, grad_of=pid, part=parent_step.part)
            self.trace.later(step, _grad_text, spec, parent_step)
            self.groups.append((parent_step, step))

    def _close(self, fwd: Step, step: Step) -> None:
        step.grad_map = {i: self.latest[i] for i in fwd.inputs if i in self.latest}
        step.outputs = list(step.grad_map.values())

    def close_groups(self) -> None:
        while self.groups:
            self._close(*self.groups.pop())

    def op_step(self, node: Node, grads: list[np.ndarray | None]) -> None:
        if node.rec is not self.rec:
            self._outside_step(node, grads)
            return
        fwd_id: int = node.step  # type: ignore[assignment]
        trace = self.trace
        # the forward step's links, read without building its Step (it is built when the trace is
        # read): step_links(), inlined (this runs for every backward step)
        fwd = trace._steps[fwd_id]
        if type(fwd) is tuple:
            fwd_name, fwd_inputs, fwd_outputs, fwd_parent = fwd[3], fwd[4], fwd[5], fwd[7]
        else:
            fwd_name, fwd_inputs, fwd_outputs, fwd_parent, _ = step_links(trace, fwd_id)
        sid, outputs, grad_map = self._grad_step(node.spec, fwd_id, fwd_name, fwd_inputs, fwd_outputs, fwd_parent)
        latest, ids, records = self.latest, self.rec.ids, trace.tensors
        for x, xid, g in zip(node.inputs, fwd_inputs, grads):
            if g is not None:
                gid = ids.get(id(g))
                if gid is None:  # named along its axes as its tensor, after the trace's record (dscores₁)
                    gid = register(trace, g, f"d{records[xid].name}", "grad", x.labels, sid, xid)
                if xid not in latest:  # a partial contribution waits for its accumulate step
                    latest[xid] = gid
                outputs.append(gid)
                grad_map[xid] = gid

    def _grad_step(self, spec: OpSpec, fwd_id: int, fwd_name: str, fwd_inputs: list[str], fwd_outputs: list[str],
                   fwd_parent: int | None) -> tuple[int, list[str], dict[str, str]]:
        """Append the backward step of forward step ``fwd_id`` in its group: its id, and its outputs
        and gradient map, for the caller to fill. Only a tuple (``Trace.lazy``, inlined): the Step is
        built when the trace is read (:func:`_grad_step`)."""
        groups, latest, rec, steps = self.groups, self.latest, self.rec, self.trace._steps
        if fwd_parent != (groups[-1][0].id if groups else None):  # else the open groups are its chain
            self._enter(fwd_parent)
        inputs = [latest[o] for o in fwd_outputs if o in latest]
        inputs += fwd_inputs
        name = fwd_name + ".grad"
        if name in rec.name_counts or name in rec.used:
            name = rec.unique(name)
        else:  # rec.unique's first sight of a name, inlined
            rec.name_counts[name] = 1
            rec.used.add(name)
        outputs: list[str] = []
        grad_map: dict[str, str] = {}
        sid = len(steps)
        steps.append((_grad_step, spec.name, name, inputs, outputs, grad_map,
                      groups[-1][1].id if groups else None, len(groups), fwd_id))
        self.trace._pending.append((_grad_fill, sid, spec, fwd_id))
        return sid, outputs, grad_map

    def fused_children(self, node: Node, g_out: np.ndarray, finals: list[np.ndarray | None]) -> None:
        """The steps the children of ``node``'s composite, its fused rule run, would record as they
        ran: the forward children walked back as ``backward()`` walks their nodes, their gradient
        steps and ``accumulate`` steps written onto whatever gradient the inputs already had, the
        arrays made when read (:class:`tracer.ops.lazy_grads.Values`). ``g_out`` is the gradient
        of the composite's output; ``finals`` the gradient each input ends with (``None``: none),
        the arrays the backward pass goes on with: each input's last record holds its own."""
        trace, latest = self.trace, self.latest
        steps, records = trace._steps, trace.tensors
        kids, end = node.lazy
        top: int = node.step  # type: ignore[assignment]
        comp_inputs = steps[top].inputs  # a composite is appended as a Step
        values = Values(kids, tuple([x.requires_grad for x in node.inputs]), g_out)
        given = dict(zip(comp_inputs, node.inputs))  # an input's tensor: its labels and name, as eagerly
        carries: dict[str, bool] = {}  # trace tid -> whether a gradient flows back to it
        for x, xid in zip(node.inputs, comp_inputs):
            carries[xid] = carries.get(xid, False) or x.requires_grad
        order: list[int] = []  # the children that got a graph node eagerly: an input carries a gradient
        for sid in range(top + 1, end):
            name, inputs, outputs, _, op = step_links(trace, sid)
            if not REGISTRY[op].composite and any([carries.get(i) for i in inputs]):
                for o in outputs:   # a nested composite's own step is skipped: its children are here
                    carries[o] = True
                order.append(sid)
        made: set[str] = set()
        for sid in reversed(order):
            fwd_name, fwd_inputs, fwd_outputs, fwd_parent, op = step_links(trace, sid)
            if not any([o in latest for o in fwd_outputs]):  # no gradient reached this child's output
                continue
            gsid, outputs, grad_map = self._grad_step(REGISTRY[op], sid, fwd_name, fwd_inputs, fwd_outputs, fwd_parent)
            new: list[tuple[str, str]] = []
            for xid in fwd_inputs:
                if carries.get(xid):
                    gid = values.add(trace, records[xid], given.get(xid), gsid, ("c", sid - top, len(outputs)))
                    outputs.append(gid)
                    grad_map[xid] = gid
                    new.append((xid, gid))
            had = {xid for xid, _ in new if xid in latest}  # a gradient before this child's: added to it
            for xid, gid in new:
                made.add(gid)
                if xid not in latest:
                    latest[xid] = gid
            for xid, gid in new:
                if xid not in had:
                    had.add(xid)
                    continue
                x, r = given.get(xid), records[xid]
                before = latest[xid]
                step = self._sum_step(ACCUMULATE, x.name if x is not None else kids.names[xid], xid, [before, gid],
                                      _label(trace, xid, x), lambda s: values.add(trace, r, x, s, ("+", before, gid)))
                latest[xid] = step.outputs[0]
                made.add(latest[xid])
        for xid, final in zip(comp_inputs, finals):  # what flowed on: the fused rule's gradient
            if final is not None:
                gid = latest[xid]
                assert gid in made, f"{records[xid].name}: the fused rule gave a gradient its children do not"
                values.holds(records[gid], final)
                self.rec.ids[id(final)] = gid

    def _outside_step(self, node: Node, grads: list[np.ndarray | None]) -> None:
        """A backward step for an op whose forward pass ran before recording started."""
        self._enter(None)
        spec = node.spec
        in_ids = [tensor_id(self.trace, x) for x in node.inputs]
        inputs = list(in_ids)
        step = self._new_step(spec.name, f"{spec.name}.grad", inputs)
        for x, xid, g in zip(node.inputs, in_ids, grads):
            if g is not None:
                gid = self._grad_id(x, g, step.id, total=False, fwd=xid)
                step.outputs.append(gid)
                step.grad_map[xid] = gid
        self.trace.later(step, _outside_text, spec, [x.name for x in node.inputs])

    def accumulate(self, x: Tensor, old: np.ndarray, new: np.ndarray, total: np.ndarray) -> None:
        fwd = tensor_id(self.trace, x)
        self._sum_step(ACCUMULATE, x.name, fwd, [self.latest[fwd], self.rec.ids[id(new)]], _label(self.trace, fwd, x),
                       lambda sid: self._grad_id(x, total, sid))

    def carry(self, x: Tensor, old: np.ndarray, total: np.ndarray) -> None:
        """``x`` kept a gradient from an earlier ``backward()``: this one is added to it."""
        fwd = tensor_id(self.trace, x)
        before = Tensor._result(old, f"d{x.name}", None, 0)
        before.kind, before.labels = "grad", x.labels
        scope = self.rec.prefixes[-1]  # under the scope backward() ran in (train.3.W1.grad_total)
        kept, new = tensor_id(self.trace, before, grad_of=fwd), self.latest[fwd]
        name_new(self.trace, fwd, kept, new)   # the running total keeps dx, this pass's is dx_new
        self._sum_step(CARRY, x.name, fwd, [kept, new], f"{scope}.{x.name}" if scope else x.name,
                       lambda sid: self._grad_id(x, total, sid))

    def _sum_step(self, spec: OpSpec, x_name: str, fwd: str, inputs: list[str], label: str,
                  total: Callable[[int], str]) -> Step:
        """A step adding two gradients of tensor ``fwd`` (named ``<label>.grad_sum`` or
        ``.grad_total``); ``total(step id)`` registers the sum and returns its id."""
        step = self._new_step(spec.name, f"{label}.{'grad_sum' if spec is ACCUMULATE else 'grad_total'}", inputs,
                              attrs={"tensor": fwd})
        step.outputs.append(total(step.id))
        step.grad_map = {fwd: step.outputs[0]}
        if spec is ACCUMULATE:
            name_shares(self.trace, self.shares, fwd, inputs, self.trace.tensors[step.outputs[0]].name)
        step.narration = spec.narration.format(x=x_name)
        self.trace.later(step, _sum_text)   # the steps that made its inputs may still be tuples
        return step


def _label(trace: Trace, tid: str, x: Tensor | None) -> str:
    """What an ``accumulate`` step of tensor ``tid`` is named after: the step that made it, else
    the tensor (a leaf)."""
    producer = trace.tensors[tid].producer
    if producer is not None:
        return step_links(trace, producer)[0]
    return x.name if x is not None else trace.tensors[tid].name
