"""How axis labels (tokens, words, features, samples) travel from an op's inputs to its outputs.

One rule per family, and one per structural op (each declared with its op, ``labels=``): a rule gets
the input tensors, the output arrays and the op's attributes, and returns the labels of each output
(per axis a tuple of names, or ``None``). A name that no longer fits its axis is dropped, never
guessed. The engine calls :func:`propagate` only when an input carries labels, so unlabelled
models pay one attribute test per input.

>>> import tracer
>>> W = tracer.param([[1, 0], [0, 1], [1, 1]], name="W", rows=["h1", "h2", "h3"], cols=["x", "y"])
>>> X = tracer.tensor([[1, 2], [3, 4]], name="X", rows=["x", "y"], cols=["Mon", "Tue"])
>>> Z = tracer.relu(W @ X)
>>> Z.labels                      # rows from the left operand, columns from the right
(('h1', 'h2', 'h3'), ('Mon', 'Tue'))
>>> Z.sum(axis=0).labels, Z.T.labels[0]
((('Mon', 'Tue'),), ('Mon', 'Tue'))
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Sequence

import numpy as np

from ..tensor import Labels

if TYPE_CHECKING:
    from ..tensor import Tensor
    from .spec import OpSpec

# (inputs, output arrays, attributes) -> per output, per axis: names or None
Rule = Callable[[Sequence["Tensor"], Sequence[np.ndarray], dict], "list[list[Any]]"]


def _axes(axis: Any, ndim: int) -> list[int]:
    if axis is None:
        return list(range(ndim))
    return sorted(a % ndim for a in ((axis,) if isinstance(axis, (int, np.integer)) else axis))


def _of(x: Tensor) -> list[Any]:
    return list(x.labels) if x.labels is not None else [None] * x.ndim


# ---- family rules -------------------------------------------------------------------------------
def broadcast(xs: Sequence[Tensor], outs: Sequence[np.ndarray], attrs: dict) -> list[list[Any]]:
    """Element-wise: each output axis takes the names of the first input that has them for it
    (an input broadcast along that axis has none to give; an op whose inputs name an axis
    differently says which names it means with ``names_from=``, :func:`preferring`)."""
    return [first_names(xs, outs[0].shape)] * len(outs)


def first_names(xs: Sequence[Tensor], shape: tuple[int, ...]) -> list[Any]:
    """Per axis of ``shape``, the names of the first of ``xs`` (lined up from the right) whose
    names fit it: a length-1 axis broadcast against a longer one, or an unnamed one, gives none."""
    got: list[Any] = [None] * len(shape)
    for x in xs:
        if x.labels is None:
            continue
        off = len(shape) - x.ndim
        for i, names in enumerate(x.labels):
            if names is not None and got[off + i] is None and len(names) == shape[off + i]:
                got[off + i] = names
    return got


def contraction(xs: Sequence[Tensor], outs: Sequence[np.ndarray], attrs: dict) -> list[list[Any]]:
    """``a @ b``: rows from the rows of ``a``, columns from the columns of ``b``, batch axes shared."""
    a, b = xs
    la, lb = _of(a), _of(b)
    n = outs[0].ndim
    got: list[Any] = [None] * n
    if a.ndim >= 2 and b.ndim >= 2:
        got[n - 2], got[n - 1] = la[-2], lb[-1]
        for lab in (la[:-2], lb[:-2]):  # batch axes, aligned from the right
            for i, names in enumerate(lab):
                k = n - 2 - len(lab) + i
                if got[k] is None:
                    got[k] = names
    elif a.ndim >= 2:   # matrix · vector: one entry per row of a
        got[n - 1] = la[-2]
    elif b.ndim >= 2:   # vector · matrix: one entry per column of b
        got[n - 1] = lb[-1]
    return [got]


def reduction(xs: Sequence[Tensor], outs: Sequence[np.ndarray], attrs: dict) -> list[list[Any]]:
    """The reduced axes lose their names (kept as an unnamed axis of 1 with ``keepdims``)."""
    x = xs[0]
    gone = set(_axes(attrs.get("axis"), x.ndim))
    if attrs.get("keepdims"):
        return [[None if i in gone else names for i, names in enumerate(_of(x))]]
    return [[names for i, names in enumerate(_of(x)) if i not in gone]]


def update(xs: Sequence[Tensor], outs: Sequence[np.ndarray], attrs: dict) -> list[list[Any]]:
    """An optimiser: the new parameter (and its running averages) keep the parameter's names; a
    gradient clipped one for one keeps its own."""
    if len(outs) == len(xs):
        return [_of(x) for x in xs]
    return [_of(xs[0])] * len(outs)


FAMILY_RULES: dict[str, Rule] = {
    "elementwise": broadcast, "contraction": contraction, "reduction": reduction, "update": update,
}


# ---- structural ops (each declares its rule) -----------------------------------------------------
def transpose(xs: Sequence[Tensor], outs: Sequence[np.ndarray], attrs: dict) -> list[list[Any]]:
    la = _of(xs[0])
    axes = attrs.get("axes")
    return [[la[a] for a in (range(len(la))[::-1] if axes is None else axes)]]


def reshape(xs: Sequence[Tensor], outs: Sequence[np.ndarray], attrs: dict) -> list[list[Any]]:
    """Axes of length 1 added or removed keep the other names; otherwise the leading and trailing
    axes the reshape leaves alone keep theirs."""
    la, src, dst = _of(xs[0]), xs[0].shape, outs[0].shape
    got: list[Any] = [None] * len(dst)
    n = min(len(src), len(dst))
    if src[:n] == dst[:n] and all(k == 1 for k in src[n:] + dst[n:]):  # axes of 1 added or dropped at the end
        got[:n] = la[:n]
        return [got]
    s_axes = [i for i, n in enumerate(src) if n != 1]
    d_axes = [j for j, n in enumerate(dst) if n != 1]
    if [src[i] for i in s_axes] == [dst[j] for j in d_axes]:
        for i, j in zip(s_axes, d_axes):
            got[j] = la[i]
        return [got]
    lead = 0
    while lead < min(len(src), len(dst)) and src[lead] == dst[lead]:
        got[lead] = la[lead]
        lead += 1
    k = 1
    while k <= min(len(src), len(dst)) - lead and src[-k] == dst[-k]:
        got[-k] = la[-k]
        k += 1
    return [got]


def concat(xs: Sequence[Tensor], outs: Sequence[np.ndarray], attrs: dict) -> list[list[Any]]:
    """The joined axis is named when every piece names it; the others as element-wise ops do."""
    got = broadcast(xs, outs, attrs)[0][:]
    axis = attrs.get("axis", 0) % outs[0].ndim
    pieces = [_of(x)[axis] for x in xs]
    got[axis] = None if any(p is None for p in pieces) else tuple(n for p in pieces for n in p)
    return [got]


def split(xs: Sequence[Tensor], outs: Sequence[np.ndarray], attrs: dict) -> list[list[Any]]:
    la = _of(xs[0])
    axis = attrs.get("axis", 0) % xs[0].ndim
    got, start = [], 0
    for o in outs:
        stop = start + o.shape[axis]
        names = la[:]
        names[axis] = None if la[axis] is None else la[axis][start:stop]
        got.append(names)
        start = stop
    return got


def getitem(xs: Sequence[Tensor], outs: Sequence[np.ndarray], attrs: dict) -> list[list[Any]]:
    """Basic indexing (numbers, slices, ``None``, ``...``) and one 1-D list of positions: an axis
    picked by a number goes, a sliced or picked axis keeps the names of what it kept."""
    x, index = xs[0], attrs.get("index")
    la = _of(x)
    parts = list(index) if isinstance(index, tuple) else [index]
    if sum(isinstance(p, (list, np.ndarray)) for p in parts) > 1:
        return [[None] * outs[0].ndim]  # several position lists pair up: no clear name
    if any(p is Ellipsis for p in parts):
        k = parts.index(Ellipsis)
        used = sum(p is not None and p is not Ellipsis for p in parts)
        parts[k:k + 1] = [slice(None)] * (x.ndim - used)
    got: list[Any] = []
    axis = 0
    for p in parts:
        if p is None:
            got.append(None)
            continue
        names = la[axis] if axis < len(la) else None
        axis += 1
        if isinstance(p, (int, np.integer)):
            continue
        if names is None:
            got.append(None)
        elif isinstance(p, slice):
            got.append(names[p])
        else:
            picked = np.arange(len(names))[np.asarray(p)]
            got.append(None if picked.ndim != 1 else tuple(names[i] for i in picked))
    got.extend(la[axis:])
    return [got]


def gather(xs: Sequence[Tensor], outs: Sequence[np.ndarray], attrs: dict) -> list[list[Any]]:
    """The picked axis becomes the axes of the ids, named by the ids' own names (the tokens, a
    batch's sentences) when they carry them, else (1-D ids) by the table's names of the picked
    positions (a vocabulary's words)."""
    table, ids = xs
    got = _of(table)
    axis = attrs.get("axis", 0) % table.ndim
    picked: list[Any] = _of(ids)
    if ids.labels is None and ids.ndim == 1 and got[axis] is not None:
        picked = [tuple(got[axis][int(i)] for i in ids.data)]
    return [got[:axis] + picked + got[axis + 1:]]


def where(xs: Sequence[Tensor], outs: Sequence[np.ndarray], attrs: dict) -> list[list[Any]]:
    """Element-wise over the values picked from; the mask's own names come last."""
    return broadcast([xs[1], xs[2], xs[0]], outs, attrs)


# ---- applying a rule ------------------------------------------------------------------------------
def fit(names: Sequence[Any], shape: tuple[int, ...]) -> Labels | None:
    """The names as labels of ``shape``: an axis whose names do not match its length loses them."""
    if len(names) != len(shape):
        return None
    kept, named = list(names), False
    for i, n in enumerate(kept):  # a plain loop: this runs for every labelled op
        if n is not None:
            if len(n) == shape[i]:
                named = True
            else:
                kept[i] = None
    return tuple(kept) if named else None


def propagate(spec: OpSpec, xs: Sequence[Tensor], outs: Sequence[Tensor], attrs: dict,
              names_from: Tensor | None = None) -> None:
    """Give the outputs of one op the labels its rule derives from its inputs; ``names_from`` (one
    of the inputs) names first every axis it has names for (:func:`preferring`)."""
    rule = spec.labels or FAMILY_RULES.get(spec.family)
    if rule is None:
        return
    if names_from is not None:
        rule = preferring(rule, names_from)
    elif rule is broadcast and len(outs) == 1:  # the common case, without the rule's lists
        labelled = [x for x in xs if x.labels is not None]
        if len(labelled) == 1 and labelled[0].shape == outs[0].shape:
            outs[0].labels = labelled[0].labels  # what the rule gives: every name fits its axis already
            return
    arrays = [t.data for t in outs]
    for t, a, names in zip(outs, arrays, rule(xs, arrays, attrs)):
        t.labels = fit(names, a.shape)


def preferring(rule: Rule, first: Tensor) -> Rule:
    """``rule``, except that an output axis lined up (from the right) with an axis ``first`` names
    takes ``first``'s names. Inputs can disagree and no rule can tell which is meant: the LSTM's
    ``[h ; x]`` joins the state named by the step before with this step's input, and the input names
    the step (``concat([h, x], names_from=x)``)."""
    def rule_first(xs: Sequence[Tensor], outs: Sequence[np.ndarray], attrs: dict) -> list[list[Any]]:
        got = rule(xs, outs, attrs)
        if first.labels is None:
            return got
        for names, out in zip(got, outs):
            off = out.ndim - first.ndim
            for i, mine in enumerate(first.labels):
                if mine is not None and off + i >= 0 and len(mine) == out.shape[off + i]:
                    names[off + i] = mine
        return got
    return rule_first


def has_rule(spec: OpSpec) -> bool:
    """Whether labels can travel through the op: a primitive needs a rule, a composite passes them
    through its own steps."""
    return spec.composite or spec.labels is not None or spec.family in FAMILY_RULES
