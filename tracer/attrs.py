"""The attributes a step may carry, checked when a trace file is read.

An op declares its attributes once, as the keyword-only parameters of its function (``axis``,
``keepdims``, ``threshold`` ...); a composite also records which optional inputs it was called
without (``omitted``). Each attribute name has one checker here, so a tampered file cannot hand a
viewer a string where a template formats a number, an axis that is text, or an attribute that
collides with a template's placeholders. The attributes of an op this tracer does not know are
checked as plain data (numbers, text, true/false, null and short lists of them) and shown as
they are.

>>> check_attrs("sum", {"axis": [0, 1], "keepdims": False}, {}, "step 3: attrs")
{'axis': [0, 1], 'keepdims': False}
>>> check_attrs("step", {"threshold": "high"}, {}, "step 3: attrs")
Traceback (most recent call last):
...
tracer.errors.ManifestError: step 3: attrs.threshold: expected a number, got text
"""
from __future__ import annotations

import inspect
from functools import lru_cache
import re
from typing import Any, Callable

from .errors import ManifestError

MAX_ITEMS = 1024     # entries of a list attribute (a shape, an index, the sections of a split)
MAX_NESTING = 8
Checker = Callable[[Any, str], None]


_SURROGATE = re.compile("[\ud800-\udfff]")
_WORD = re.compile(r"[A-Za-z0-9_<>|=,.\- >]{1,128}")
_KINDS = {bool: "true/false", int: "a whole number", float: "a number", str: "text", list: "a list",
          dict: "an object", type(None): "null"}


def _fail(where: str, problem: str) -> None:
    raise ManifestError(f"{where}: {problem}")


def kind_of(v: Any) -> str:
    """What a JSON value is, in words: ``text``, ``a list`` ..."""
    return _KINDS.get(type(v), type(v).__name__)


def text(v: Any, where: str, limit: int = 4096) -> str:
    """Unicode text of at most ``limit`` characters."""
    if not isinstance(v, str):
        _fail(where, f"expected text, got {kind_of(v)}")
    if len(v) > limit:
        _fail(where, f"longer than {limit} characters")
    if _SURROGATE.search(v):
        _fail(where, "holds an unpaired surrogate (not Unicode text)")
    return v


def number(v: Any, where: str) -> None:
    if type(v) not in (int, float):
        _fail(where, f"expected a number, got {kind_of(v)}")


def optional_number(v: Any, where: str) -> None:
    if v is not None:
        number(v, where)


def fraction(v: Any, where: str) -> None:
    number(v, where)
    if not 0 <= v <= 1:
        _fail(where, f"{v} is outside 0..1")


def positive(v: Any, where: str) -> None:
    number(v, where)
    if v < 0:
        _fail(where, f"{v} is negative")


def flag(v: Any, where: str) -> None:
    if type(v) is not bool:
        _fail(where, f"expected true or false, got {kind_of(v)}")


def whole(v: Any, where: str, lo: int = -(1 << 31), hi: int = 1 << 31) -> int:
    if type(v) is not int:
        _fail(where, f"expected a whole number, got {kind_of(v)}")
    if not lo <= v <= hi:
        _fail(where, f"{v} is outside {lo}..{hi}")
    return v


def wholes(v: Any, where: str, lo: int = -(1 << 31)) -> None:
    if not isinstance(v, list) or len(v) > MAX_ITEMS:
        _fail(where, f"expected a list of at most {MAX_ITEMS} whole numbers, got {kind_of(v)}")
    for k, x in enumerate(v):
        whole(x, f"{where}[{k}]", lo)


def axis(v: Any, where: str) -> None:
    """``None`` (every axis), one axis, or a list of them: from −32 to 31."""
    if isinstance(v, list):
        if len(v) > 32:
            _fail(where, "more than 32 axes")
        for k, a in enumerate(v):
            whole(a, f"{where}[{k}]", -32, 31)
    elif v is not None:
        whole(v, where, -32, 31)


def sections(v: Any, where: str) -> None:
    if isinstance(v, list):
        wholes(v, where, 0)
    else:
        whole(v, where, 1)


def counts(v: Any, where: str) -> None:
    """How many times (tile, repeat): one count, or one per axis."""
    if isinstance(v, list):
        wholes(v, where, 0)
    else:
        whole(v, where, 0)


def widths(v: Any, where: str) -> None:
    """A padding: one width, (before, after), or one such pair per axis."""
    if isinstance(v, list):
        if len(v) > 32:
            _fail(where, "more than 32 axes")
        for k, x in enumerate(v):
            if isinstance(x, list):
                wholes(x, f"{where}[{k}]", 0)
            else:
                whole(x, f"{where}[{k}]", 0)
    else:
        whole(v, where, 0)


def word(v: Any, where: str) -> None:
    """A short code-like word: a dtype's name (``float32``) or einsum subscripts (``ij,jk->ik``)."""
    if not isinstance(v, str) or not _WORD.fullmatch(v):
        _fail(where, f"expected a short name or subscripts, got {kind_of(v) if not isinstance(v, str) else repr(v[:40])}")


def index(v: Any, where: str, depth: int = 0) -> None:
    """A recorded subscript: whole numbers, null, ``{"slice": [a, b, c]}``, ``{"ellipsis": true}``,
    ``{"array": [...]}`` or lists of them."""
    if depth > MAX_NESTING:
        _fail(where, f"nested deeper than {MAX_NESTING}")
    if v is None or type(v) in (int, bool):
        return
    if isinstance(v, list):
        if len(v) > MAX_ITEMS:
            _fail(where, f"more than {MAX_ITEMS} entries")
        for k, x in enumerate(v):
            index(x, f"{where}[{k}]", depth + 1)
    elif isinstance(v, dict) and set(v) == {"slice"} and isinstance(v["slice"], list) and len(v["slice"]) == 3:
        for k, x in enumerate(v["slice"]):
            if x is not None:
                whole(x, f"{where}.slice[{k}]", -(1 << 62), 1 << 62)
    elif isinstance(v, dict) and v == {"ellipsis": True}:
        return
    elif isinstance(v, dict) and set(v) == {"array"}:
        index(v["array"], f"{where}.array", depth + 1)
    else:
        _fail(where, "not a subscript (whole numbers, slices, ..., arrays)")


def plain(v: Any, where: str, depth: int = 0) -> None:
    """An attribute of an unknown op: numbers, text, true/false, null, and lists of them."""
    if depth > MAX_NESTING:
        _fail(where, f"nested deeper than {MAX_NESTING}")
    if isinstance(v, list):
        if len(v) > MAX_ITEMS:
            _fail(where, f"more than {MAX_ITEMS} entries")
        for k, x in enumerate(v):
            plain(x, f"{where}[{k}]", depth + 1)
    elif isinstance(v, str):
        text(v, where)
    elif v is not None and type(v) not in (int, float, bool):
        _fail(where, f"expected a number, text, true/false or a list, got {kind_of(v)}")


# One checker per attribute name, whichever op declares it.
CHECKERS: dict[str, Checker] = {
    "axis": axis, "axes": axis, "keepdims": flag, "stable": flag,
    "threshold": number, "alpha": number, "a_min": optional_number, "a_max": optional_number,
    "shape": lambda v, w: wholes(v, w, -1), "sections": sections, "index": index, "text": text,
    "p": fraction, "seed": lambda v, w: v is None or whole(v, w, 0, (1 << 63) - 1),
    "eps": positive, "lr": number, "momentum": number, "beta1": fraction, "beta2": fraction,
    "t": lambda v, w: whole(v, w, 1), "clip_value": positive, "max_norm": positive, "norm": positive,
    "weight_decay": positive, "beta": number, "at_zero": optional_number, "constant_values": number,
    "ddof": lambda v, w: whole(v, w, 0), "reps": counts, "repeats": counts, "pad_width": widths,
    "dtype": word, "subscripts": word, "return_weights": flag,
}


def declared(op: str) -> tuple[str, ...] | None:
    """The attribute names ``op`` declares (``None`` for an op this tracer does not know)."""
    from .ops.spec import REGISTRY

    spec = REGISTRY.get(op)
    return None if spec is None else _declared(spec)


@lru_cache(maxsize=None)  # per declaration: an op may be declared after a trace naming it was read
def _declared(spec: Any) -> tuple[str, ...]:
    if spec.forward is None:  # the backward pass's bookkeeping (accumulate, grad_total): whose gradients it adds
        return ("tensor",)
    names = [p.name for p in inspect.signature(spec.forward).parameters.values() if p.kind == p.KEYWORD_ONLY]
    if spec.composite:
        names.append("omitted")
    return tuple(names)


def check_attrs(op: str, attrs: dict, tensors: dict, where: str) -> dict:
    """``attrs`` of a step of ``op``, every one checked; returns them unchanged."""
    from .ops.spec import REGISTRY

    names = declared(op)
    if len(attrs) > 64:
        _fail(where, "more than 64 attributes")
    for key, value in attrs.items():
        at = f"{where}.{key}"
        if names is None:
            plain(value, at)
        elif key not in names:
            _fail(where, f"{op} takes no attribute {key!r}")
        elif key == "omitted":
            params = REGISTRY[op].params
            if not isinstance(value, list) or not all(isinstance(p, str) and p in params for p in value):
                _fail(at, f"expected a list of the inputs of {op} ({', '.join(params)})")
        elif key == "tensor":
            if not isinstance(value, str) or value not in tensors:
                _fail(at, f"no tensor {value!r}")
        else:
            CHECKERS.get(key, plain)(value, at)
    return attrs
