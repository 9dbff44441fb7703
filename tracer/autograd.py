"""``backward()``: one generic loop over the recorded graph, and the backward steps it records.

The loop is micrograd's: walk the ops in reverse topological order (the order they ran, reversed),
apply each op's local rule (its ``vjp``), add the contributions. While a trace records, every op
differentiated becomes a backward step pointing at its forward step (``grad_of``), a tensor that
fed several ops gets an explicit ``accumulate`` step, and the children of a composite op are
grouped under a backward parent step of their own.

>>> import tracer
>>> with tracer.record() as trace:
...     w = tracer.param([2.0, -1.0], name="w")
...     loss = (w * w).sum(name="loss")
...     loss.backward()
>>> w.grad
array([ 4., -2.])
>>> [s.name for s in trace.phase("backward")]   # w feeds mul twice: its two gradients are summed
['loss.grad', 'mul.grad', 'w.grad_sum']
"""
from __future__ import annotations

import operator

import numpy as np

from .errors import GradientError
from .ops.core import Node, step_links
from .ops.lazy_grads import record_children
from .ops.records import register, tensor_id
from .ops.spec import REGISTRY, OpSpec
from .ops.templates import render
from .recording import _active
from .tensor import Tensor
from .trace import Step, Trace

ACCUMULATE = OpSpec("accumulate", formula="{out} = {a} + {b}", grad="", params=("a", "b"),
                    narration="{x} feeds more than one op: add up the gradients that flow back from each.",
                    varargs=False, composite=False, phase="backward", family="gradient")
REGISTRY["accumulate"] = ACCUMULATE
CARRY = OpSpec("grad_total", formula="{out} = {a} + {b}", grad="", params=("a", "b"),
               narration="{x} kept a gradient from an earlier backward(): this one is added to it "
                         "(gradients add up until zero_grad()).",
               varargs=False, composite=False, phase="backward", family="gradient")
REGISTRY["grad_total"] = CARRY

BACKWARD_NARRATION = "Send the gradient back through {op}: {grad}"


def _reachable(root: Node) -> list[Node]:
    """Every node ``root`` depends on, latest first: the forward order reversed is a reverse
    topological order, and it keeps each composite's children together."""
    seen: dict[int, Node] = {id(root): root}
    stack = [root]
    while stack:
        for x in stack.pop().inputs:
            p = x._node
            if p is not None and id(p) not in seen:
                seen[id(p)] = p
                stack.append(p)
    return sorted(seen.values(), key=_SEQ, reverse=True)


_SEQ = operator.attrgetter("seq")


def _key(t: Tensor) -> object:
    """Where ``t``'s gradient is kept while backward runs: its node's id for an op's first (often
    only) output, with the output's index for the others, the tensor's own id for a leaf. The node
    and the leaf are alive while backward runs, so no two of these ids are equal."""
    p = t._node
    if p is None:
        return id(t)
    return id(p) if t._k == 0 else (id(p), t._k)


def backward(loss: Tensor, grad: object = None) -> None:
    """Fill ``.grad`` of every tensor ``loss`` depends on that requires a gradient.

    Parameters
    ----------
    loss : Tensor
        Usually a scalar; otherwise pass ``grad`` (the gradient to start from, same shape).
    grad : array_like, optional

    Raises
    ------
    GradientError
        Nothing requires a gradient, a non-scalar loss without ``grad``, or a second call on the
        same loss (it would silently count every gradient twice).
    """
    if loss._node is None:
        raise GradientError(f"{loss.name} does not depend on anything that requires a gradient "
                            "(create weights with tracer.param)")
    if loss._done:
        raise GradientError(f"backward() already ran from {loss.name}: its gradients are in .grad; "
                            "run the forward pass again for new ones")
    if grad is None:
        if loss.size != 1:
            raise GradientError(f"backward() from {loss.name} of shape {loss.shape} needs grad= "
                                "(only a single number starts from 1)")
        g0 = np.ones(loss.data.shape, loss.data.dtype)
    else:
        g0 = np.asarray(grad, dtype=loss.dtype)
        if g0.shape != loss.shape:
            raise GradientError(f"grad= has shape {g0.shape}, {loss.name} has shape {loss.shape}")
    loss._done = True
    trace = _active[-1] if _active else None
    rec = _Recording(trace) if trace is not None and trace._rec is not None else None

    grads: dict[object, np.ndarray] = {_key(loss): g0}
    tensors: dict[object, Tensor] = {_key(loss): loss}
    if rec:
        rec.seed(loss, g0)
    for node in _reachable(loss._node):
        # plain loops and lists below, no generators: this runs once per op of the graph
        inputs = node.inputs
        nid = id(node)
        if node.n_out == 1:
            g_out = grads.get(nid)
            if g_out is None:
                continue
            taken = {id(g_out)}
        else:
            g_out = tuple([grads.get((nid, k) if k else nid) for k in range(node.n_out)])
            taken = {id(g) for g in g_out if g is not None}
        need = tuple([x.requires_grad for x in inputs])
        g_in = node.vjp(g_out, need)
        fresh: list[np.ndarray | None] = []
        for x, gx, wanted in zip(inputs, g_in, need):
            if gx is None or not wanted:
                fresh.append(None)
                continue
            dtype = x.data.dtype
            if type(gx) is not np.ndarray or gx.dtype is not dtype:  # equal dtypes: asarray returns gx
                gx = np.asarray(gx, dtype=dtype)
            if id(gx) in taken:  # one array per gradient tensor: a view costs no copy
                gx = gx.view()
            taken.add(id(gx))
            gx.setflags(False)  # read-only (positional: a third of the time of flags.writeable = False)
            fresh.append(gx)
        # a composite its fused rule ran while this trace recorded: its children's steps come after
        lazy = node.lazy if rec and node.rec is rec.rec else None
        if rec and lazy is None:
            rec.op_step(node, fresh)
        for x, gx in zip(inputs, fresh):
            if gx is None:
                continue
            p = x._node
            k = id(x) if p is None else id(p) if x._k == 0 else (id(p), x._k)  # _key(x), inlined
            before = grads.get(k)
            if before is None:
                grads[k] = gx
                tensors[k] = x
            else:
                total = np.asarray(before + gx)  # 0-d + 0-d is a NumPy scalar: no flags
                total.setflags(False)
                if rec and lazy is None:
                    rec.accumulate(x, before, gx, total)
                grads[k] = total
        if lazy is not None:
            record_children(rec, node, g_out, [None if gx is None else grads[_key(x)] for x, gx in zip(inputs, fresh)])
    if rec:
        rec.close_groups()
    for k, t in tensors.items():
        g = grads[k]
        if t._grad is not None:  # as in PyTorch: gradients add up over backward() calls until zero_grad()
            total = np.asarray(t._grad + g)
            total.setflags(False)
            if rec:
                rec.carry(t, t._grad, total)
            g = total
        t._grad, t._gview = g, None


def _grad_text(trace: Trace, step: Step, spec: OpSpec, fwd: Step) -> None:
    """The gradient formula written with the forward step's tensor names (filled when read)."""
    names = [trace.tensors[t].name for t in fwd.inputs]
    outs = [trace.tensors[t].name for t in fwd.outputs]
    step.formula = render(spec.grad, spec, names, outs, fwd.attrs)
    step.narration = BACKWARD_NARRATION.format(op=spec.name, grad=step.formula)


def _grad_step(trace: Trace, sid: int, op: str, name: str, inputs: list[str], outputs: list[str],
               grad_map: dict[str, str], parent: int | None, depth: int, fwd_id: int) -> Step:
    """The backward step of forward step ``fwd_id``, recorded as a tuple (see ``Trace.lazy``)."""
    fwd = trace.built(fwd_id)
    return Step(sid, "backward", op, name, inputs, outputs, fwd.attrs, parent, depth, fwd.src,
                grad_of=fwd_id, grad_map=grad_map, part=fwd.part)


def _grad_fill(trace: Trace, sid: int, spec: OpSpec, fwd_id: int) -> None:
    _grad_text(trace, trace.built(sid), spec, trace.built(fwd_id))


class _Recording:
    """Writes the backward steps of one ``backward()`` call into the active trace."""

    def __init__(self, trace: Trace) -> None:
        self.trace = trace
        self.rec = trace._rec
        self.latest: dict[str, str] = {}  # forward tensor id -> id of its gradient so far
        self.groups: list[tuple[Step, Step]] = []  # (forward composite, its backward step)

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
        trace, rec = self.trace, self.rec
        steps = trace._steps
        # the forward step's links, read without building its Step (it is built when the trace is
        # read): step_links(), inlined as the rest below (this runs for every backward step)
        fwd = steps[fwd_id]
        if type(fwd) is tuple:
            fwd_name, fwd_inputs, fwd_outputs, fwd_parent = fwd[3], fwd[4], fwd[5], fwd[7]
        else:
            fwd_name, fwd_inputs, fwd_outputs, fwd_parent = step_links(trace, fwd_id)
        groups = self.groups
        if fwd_parent != (groups[-1][0].id if groups else None):  # else the open groups are its chain
            self._enter(fwd_parent)
        latest = self.latest
        inputs = [latest[o] for o in fwd_outputs if o in latest]
        inputs += fwd_inputs
        outputs: list[str] = []
        grad_map: dict[str, str] = {}
        name = fwd_name + ".grad"
        if name in rec.name_counts or name in rec.used:
            name = rec.unique(name)
        else:  # rec.unique's first sight of a name, inlined
            rec.name_counts[name] = 1
            rec.used.add(name)
        spec = node.spec
        # the Step itself is built when the trace is read (_grad_step): here only a tuple (trace.lazy, inlined)
        sid = len(steps)
        steps.append((_grad_step, spec.name, name, inputs, outputs, grad_map,
                      groups[-1][1].id if groups else None, len(groups), fwd_id))
        trace._pending.append((_grad_fill, sid, spec, fwd_id))
        ids, records = rec.ids, trace.tensors
        for x, xid, g in zip(node.inputs, fwd_inputs, grads):
            if g is not None:
                gid = ids.get(id(g))
                if gid is None:  # named along its axes as its tensor, after the trace's record (dscores₁)
                    gid = register(self.trace, g, f"d{records[xid].name}", "grad", x.labels, sid, xid)
                if xid not in latest:  # a partial contribution waits for its accumulate step
                    latest[xid] = gid
                outputs.append(gid)
                grad_map[xid] = gid

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
        step.formula = render(spec.grad, spec, [x.name for x in node.inputs], ["out"], {})
        step.narration = BACKWARD_NARRATION.format(op=spec.name, grad=step.formula)

    def accumulate(self, x: Tensor, old: np.ndarray, new: np.ndarray, total: np.ndarray) -> None:
        fwd = tensor_id(self.trace, x)
        producer = self.trace.tensors[fwd].producer
        label = step_links(self.trace, producer)[0] if producer is not None else x.name
        step = self._sum_step(ACCUMULATE, x, fwd, [self.latest[fwd], self.rec.ids[id(new)]], total,
                              f"{label}.grad_sum")
        step.narration = ACCUMULATE.narration.format(x=x.name)

    def carry(self, x: Tensor, old: np.ndarray, total: np.ndarray) -> None:
        """``x`` kept a gradient from an earlier ``backward()``: this one is added to it."""
        fwd = tensor_id(self.trace, x)
        before = Tensor._result(old, f"d{x.name}", None, 0)
        before.kind, before.labels = "grad", x.labels
        scope = self.rec.prefixes[-1]  # under the scope backward() ran in (train.3.W1.grad_total)
        step = self._sum_step(CARRY, x, fwd, [tensor_id(self.trace, before, grad_of=fwd), self.latest[fwd]],
                              total, f"{scope}.{x.name}.grad_total" if scope else f"{x.name}.grad_total")
        step.narration = CARRY.narration.format(x=x.name)

    def _sum_step(self, spec: OpSpec, x: Tensor, fwd: str, inputs: list[str], total: np.ndarray,
                  name: str) -> Step:
        step = self._new_step(spec.name, name, inputs, attrs={"tensor": fwd})
        step.outputs.append(self._grad_id(x, total, step.id))
        step.grad_map = {fwd: step.outputs[0]}
        out = self.trace.tensors[step.outputs[0]].name
        step.formula = f"{out} = {out} + {out}′"
        return step
