"""``backward()``: one generic loop over the recorded graph (the steps it records are written by
:mod:`tracer.backward_steps`).

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

from .backward_steps import Recording
from .errors import GradientError
from .ops.core import Node
from .recording import _active
from .tensor import Tensor


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
    rec = Recording(trace) if trace is not None and trace._rec is not None else None

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
            rec.fused_children(node, g_out, [None if gx is None else grads[_key(x)] for x, gx in zip(inputs, fresh)])
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


