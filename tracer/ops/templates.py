"""An op's formula and narration templates filled with the names of a step's tensors.

A template names the op's inputs, its output and its attributes in braces (``{out} = {x} ⊙ {y}``,
``Σ⟦_{axis}⟧``); :func:`render` fills them when the steps are first read, so a step's text uses each
tensor's final name. Attribute values are written as they read in a formula (:func:`fmt_scalar`).

>>> from tracer.ops.spec import REGISTRY
>>> render(REGISTRY["sum"].formula, REGISTRY["sum"], ["X"], ["s"], {"axis": 0})
's = Σ₀ X'
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import numpy as np

from ..notation import TRANSPOSE, transposed

if TYPE_CHECKING:
    from ..trace import Step, Trace
    from .spec import OpSpec


def fmt_scalar(v: float) -> str:
    """How a constant reads in a formula: ``3``, ``0.5``, ``1e-05``."""
    v = float(v)
    return str(int(v)) if v.is_integer() and abs(v) < 1e15 else f"{v:.4g}"


_OPTIONAL = re.compile(r"⟦(.*?)⟧")
_SUBSCRIPTED = re.compile(r"_\{(\w+)\}")  # ``Σ_{axis}``: an attribute written as a real subscript
_SUBSCRIPT = str.maketrans("0123456789-", "₀₁₂₃₄₅₆₇₈₉₋")
_WORD = re.compile(r"[\w.′]+")


def subscript(value: Any) -> str | None:
    """An axis (or axes) as subscript digits, ``None`` for anything else.

    >>> subscript(-1), subscript((0, 1)), subscript("x")
    ('₋₁', '₀,₁', None)
    """
    axes = value if isinstance(value, tuple) else (value,)
    if not axes or not all(isinstance(a, (int, np.integer)) for a in axes):
        return None
    return ",".join(str(int(a)).translate(_SUBSCRIPT) for a in axes)


class _Short(float):
    """An attribute in a sentence: ``0.1235``, not ``0.12345404968947128`` (``{norm:.4g}`` still works)."""

    def __format__(self, spec: str) -> str:
        return fmt_scalar(self) if not spec else float.__format__(self, spec)


def optional_parts(template: str, spec: OpSpec, attrs: dict) -> str:
    """``template`` with each part ``⟦…⟧`` kept (its brackets dropped) when every input and
    attribute it names was given, and left out when one was not: an optional input the call left
    out (``attrs["omitted"]``), or an attribute at ``None``.

    >>> from tracer.ops.spec import REGISTRY
    >>> optional_parts("{g}×sign({x})⟦×{weight}⟧", REGISTRY["l1"], {"omitted": ["weight"]})
    '{g}×sign({x})'
    """
    if "⟦" not in template:  # most templates have no optional part: no pattern to run
        return template
    given = {**dict(spec.defaults), **attrs} if spec.defaults else attrs
    dropped = set(attrs.get("omitted", ())) | {k for k, v in given.items() if v is None}
    return _OPTIONAL.sub(lambda m: "" if any("{" + p + "}" in m.group(1) for p in dropped) else m.group(1),
                         template)


def render(template: str, spec: OpSpec, names: list[str], out_names: list[str], attrs: dict,
           unset: str = "all") -> str:
    """Fill a formula or narration template with tensor names and attribute values.

    A part ``⟦ + {b}⟧`` is kept only when the input or attribute it names was given (``attrs["omitted"]``
    lists the optional inputs a composite was called without; an attribute left at ``None`` drops
    its part too: ``Σ⟦_{axis}⟧`` reads ``Σ`` for a sum of everything). Elsewhere such an attribute
    reads ``unset`` (a narration in another language passes its own word).
    """
    given = {**dict(spec.defaults), **attrs} if spec.defaults else attrs
    missing = attrs.get("omitted", ())
    template = optional_parts(template, spec, attrs)
    if "_{" in template:
        template = _SUBSCRIPTED.sub(lambda m: "{" + m.group(1) + "}" if m.group(1) not in given
                                    or subscript(given[m.group(1)]) is None else subscript(given[m.group(1)]), template)
    fill: dict[str, Any] = {k: unset if v is None else _Short(v) if isinstance(v, float) else v
                            for k, v in given.items()}
    if spec.varargs:
        fill[spec.params[0]] = _listed(names)
    else:
        fill.update(zip([p for p in spec.params if p not in missing] if missing else spec.params, names))
    for p, name in list(fill.items()):  # a power that is not one word is bracketed: 10000^(2i/d)
        if "^{" + p + "}" in template and not _WORD.fullmatch(str(name)):
            template = template.replace("^{" + p + "}", "^({" + p + "})")
    fill["out"] = _listed(out_names)
    for p in [p for p in fill if "{" + p + "}" + TRANSPOSE in template]:  # Kᵀ transposed reads K, never Kᵀᵀ
        template = template.replace("d{" + p + "}" + TRANSPOSE, "{d" + p + TRANSPOSE + "}")
        template = template.replace("{" + p + "}" + TRANSPOSE, "{" + p + TRANSPOSE + "}")
        fill["d" + p + TRANSPOSE] = transposed(str(fill[p]), gradient=True)
        fill[p + TRANSPOSE] = transposed(str(fill[p]))
        if fill[p + TRANSPOSE] == fill["out"]:   # Kᵀ made by transposing K reads Kᵀ = (K)ᵀ, not Kᵀ = Kᵀ
            fill[p + TRANSPOSE] = f"({fill[p]}){TRANSPOSE}"
    try:
        return template.format(**fill)
    except (KeyError, IndexError, ValueError):
        return template


def _listed(names: list[str], most: int = 4) -> str:
    """Names in a formula, the middle ones elided past ``most`` (a clipping of 22 gradients reads
    ``dW1, db1, …, db11``, not 22 names in a caption too small to read).

    >>> _listed(["a", "b", "c"]), _listed([f"g{k}" for k in range(22)])
    ('a, b, c', 'g0, g1, …, g21')
    """
    return ", ".join(names if len(names) <= most else [*names[:2], "…", names[-1]])


def fill_text(trace: Trace, step: Step, spec: OpSpec) -> None:
    """A step's formula and narration from its op's templates and its tensors' names."""
    names = [trace.tensors[i].name for i in step.inputs]
    out_names = [trace.tensors[o].name for o in step.outputs]
    step.formula = render(spec.formula, spec, names, out_names, step.attrs)
    step.narration = render(spec.narration, spec, names, out_names, with_along(trace, step, spec, "en"))


# The axis an op works along, as a learner reads it: in a grid the last axis runs along each row,
# the one before it down each column. 繁體 calls a row 列 and a column 行; 简体 the other way round.
# Pieces joined or cut along an axis lie one under the other, side by side, or one after the other.
# The words are here, not in tracer.i18n_phrases, because the engine fills the English narration
# when it records a step (and the engine does not import what explains it).
ALONG: dict[str, dict[str, str]] = {
    "en": {"row": "along each row", "column": "down each column", "vector": "along the vector",
           "axis": "along axis {axis}", "over": "{along} (over {names})", "and": ", ",
           "under": "one under the other", "beside": "side by side", "after": "one after the other"},
    "zh-Hant": {"row": "沿每一列", "column": "沿每一行", "vector": "沿整個向量",
                "axis": "沿第 {axis} 軸", "over": "{along}，跨 {names}", "and": "、",
                "under": "上下", "beside": "左右", "after": "前後"},
    "zh-Hans": {"row": "沿每一行", "column": "沿每一列", "vector": "沿整个向量",
                "axis": "沿第 {axis} 轴", "over": "{along}，跨 {names}", "and": "、",
                "under": "上下", "beside": "左右", "after": "前后"},
    "vi": {"row": "theo từng hàng", "column": "theo từng cột", "vector": "dọc theo vectơ",
           "axis": "theo trục {axis}", "over": "{along} (qua {names})", "and": ", ",
           "under": "theo chiều dọc", "beside": "theo chiều ngang", "after": "nối tiếp nhau"},
}


def along(axis: Any, shape: tuple[int, ...], labels: Any = None, lang: str = "en") -> str | None:
    """How working along ``axis`` of a tensor of ``shape`` reads in ``lang``; the names along it
    too when it has a few (``None``: no axis, the whole tensor).

    >>> along(-1, (3, 4)), along(0, (3, 4), lang="zh-Hant"), along(0, (3, 4), lang="zh-Hans")
    ('along each row', '沿每一行', '沿每一列')
    >>> along(1, (2, 3), (None, ("the", "king", "sat")))
    'along each row (over the, king, sat)'
    """
    if axis is None:
        return None
    words, ndim = ALONG[lang], len(shape)
    at = int(axis) % ndim if isinstance(axis, (int, np.integer)) and ndim else None
    if at is None or (ndim > 2 and at < ndim - 2):  # several axes, or a batch axis: its number
        return words["axis"].format(axis=axis)
    text = words["vector" if ndim == 1 else "row" if at == ndim - 1 else "column"]
    names = labels[at] if labels is not None and at < len(labels) else None
    if names is None or len(names) > 4:  # more names than a caption has room for
        return text
    return words["over"].format(along=text, names=words["and"].join(names))


def joined(axis: Any, ndim: int, lang: str = "en") -> str:
    """How pieces joined (or cut) along ``axis`` of a tensor with ``ndim`` axes lie.

    >>> joined(0, 2), joined(-1, 2, "zh-Hant"), joined(0, 3)
    ('one under the other', '左右', 'along axis 0')
    """
    words = ALONG[lang]
    at = int(axis) % ndim if isinstance(axis, (int, np.integer)) and ndim else None
    if at is None or at < ndim - 2:
        return words["axis"].format(axis=axis)
    return words["after" if ndim == 1 else "beside" if at == ndim - 1 else "under"]


def with_along(trace: Trace, step: Step, spec: OpSpec, lang: str, attrs: dict | None = None) -> dict:
    """``attrs`` (the step's) with the op's axis as a learner reads it: ``along`` (:func:`along`,
    for its first input, the tensor it works along) or ``joined`` (:func:`joined`), whichever the
    op's English narration names (a translation has the same placeholders)."""
    attrs = step.attrs if attrs is None else attrs
    wanted = [k for k in ("along", "joined") if "{" + k + "}" in spec.narration]
    if not wanted or not step.inputs or step.inputs[0] not in trace.tensors:
        return attrs
    axis = attrs["axis"] if "axis" in attrs else dict(spec.defaults).get("axis")
    x = trace.tensors[step.inputs[0]]
    if wanted[0] == "joined":
        return {**attrs, "joined": joined(axis, len(x.shape), lang)}
    return {**attrs, "along": along(axis, tuple(x.shape), x.labels, lang)}


def named_grads(trace: Trace, step: Step, text: str) -> str:
    """A backward step's formula ``text`` with each gradient it writes named as its record, not as
    the template's ``d{x}``: a contribution an accumulate step adds later reads ``dx″`` here too
    (:func:`tracer.notation.share_mark`). The k-th ``dx`` of the text is the step's k-th
    gradient of ``x`` (``x·x`` writes two). When the counts differ, every ``dx`` of the text
    takes the one name if all the step's gradients of ``x`` have it (a record renamed ``dx_new``
    that the text writes twice); otherwise the text is left as it is.
    """
    tensors = trace.tensors
    by_x: dict[str, list[str]] = {}
    for gid in step.outputs:
        r = tensors.get(gid)
        if r is not None and r.grad_of in tensors:
            by_x.setdefault(r.grad_of, []).append(r.name)
    for xid, names in by_x.items():
        plain = "d" + tensors[xid].name
        if all(n == plain for n in names):
            continue
        word = re.compile(r"(?<![\w.′])" + re.escape(plain) + r"(?![\w′″‴⁗⁽])")
        spots = list(word.finditer(text))
        if len(spots) != len(names) and len(set(names)) != 1:
            continue
        given = iter(names if len(spots) == len(names) else names[:1] * len(spots))
        text = word.sub(lambda m: next(given), text)
    return text
