"""The arrays of the backward steps of a composite whose fused rule ran while recording.

Its gradient flows through one graph node, the fused vjp (``OpSpec.fused``). The trace still gets
every step the children's backward pass records, in the same order, with the same names, tensor
ids and groups, their ``accumulate`` steps included
(:meth:`tracer.backward_steps.Recording.fused_children` walks the children's forward steps back as
``backward()`` walks their nodes), but the arrays of those steps are made when the trace is read
(:class:`Values`): the first read of any of them runs the children once more, with a graph, in a
scratch recording, backward from the gradient the composite's output got.

The gradient each input of the composite ends with is the array that flowed on, the fused rule's.
Softmax's and the norms' fused vjps take fewer passes than their children's chain, so that array
and the chain's sum of the same contributions differ in the last bits (about 1e-16 relative in float64, 1e-7 in float32): far
below any printed precision, but a trace is no longer byte for byte the one eager children give
(:func:`tracer.ops.lazy.eager_children` records that one).

A second ``backward()`` through the same composite records the children's steps again; it has no
``grad_total`` step for the children's own tensors, which keep no gradient here (eagerly, each
child tensor adds its new gradient to the one it kept from the first pass). A ``backward()`` recorded
in another trace than the composite's forward pass records it as one step, as any op recorded
outside it.
"""
from __future__ import annotations

import functools
import math
import weakref
from typing import Any

import numpy as np

from ..tensor import Tensor
from ..trace import TensorRecord
from .core import _step
from .lazy import _Kids

_ITEMSIZE: dict[str, int] = {}  # dtype string -> bytes per entry
Recipe = tuple[Any, ...]  # ("c", child step, k) | ("+", gid, gid) | ("r", TensorRecord)


class Values:
    """The arrays of one composite's lazy backward records, made on first read. A record's recipe is
    a child's k-th input gradient (from the scratch run), a sum of two records (an accumulate step,
    added as ``backward()`` adds), or a record holding a real array. Refers to the composite's
    inputs and gradients, never to the trace."""

    __slots__ = ("kids", "need", "g_out", "recipes", "made", "grads", "__weakref__")

    def __init__(self, kids: _Kids, need: tuple[bool, ...], g_out: np.ndarray) -> None:
        self.kids, self.need, self.g_out = kids, need, g_out
        if kids.grads is None:  # a read of the forward arrays runs this pass, which makes them too
            kids.grads = weakref.ref(self)
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
        rec.hold(math.prod(like.shape) * size)
        tensors[tid] = TensorRecord(tid, f"d{like.name}", like.shape, like.dtype, "grad", producer, like.id, 0,
                                    x.labels if x is not None else like.labels, functools.partial(self.array, tid))
        return tid

    def holds(self, record: TensorRecord, array: np.ndarray) -> None:
        """``record`` holds the real ``array`` (what flowed on), not a recipe."""
        record._data = array
        self.recipes[record.id] = ("r", record)

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
        scratch = self.kids.scratch(self.need, self.g_out)
        grads: dict[tuple[int, int], np.ndarray] = {}
        tensors = scratch.tensors
        for s in scratch._steps:  # read as recorded: building every Step would write its text too
            if type(s) is tuple and s[0] is not _step:  # a gradient step: (build, op, name, inputs,
                for k, gid in enumerate(s[4]):          # outputs, grad map, parent, depth, forward id)
                    grads[(s[8], k)] = tensors[gid].data
        self.grads = grads
