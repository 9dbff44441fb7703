"""How an op is declared: once, with everything the trace, the stepper and the scenes know about it.

A **primitive** is one function returning its output and its local gradient (a vector-Jacobian
product closure, as in micrograd), declared with its formula, gradient formula and narration::

    @primitive("exp", formula="{out} = e^{x}", grad="d{x} = d{out} ⊙ {out}",
               narration="Raise e to every entry of {x}.")
    def exp(x):
        out = np.exp(x)
        return out, lambda g, need: (g * out,)

Positional parameters are tensor inputs, keyword-only parameters are attributes. ``vjp(g, need)``
gets the output gradient(s) and which inputs need one, and returns one gradient (or ``None``) per
input. A **composite** is built from primitives and has no gradient code: it becomes a parent step
whose children are the primitives it ran. The op :func:`primitive` returns runs with
:func:`tracer.ops.core.apply`, the one :func:`composite` returns with
:func:`tracer.ops.composite_steps.apply_composite`. Besides its attributes, a primitive takes
``name=`` (its output's name) and ``names_from=`` (the input whose axis names its output takes
first, where inputs name an axis differently: :func:`tracer.ops.labels.preferring`).

>>> import numpy as np, tracer
>>> @primitive("halve", family="elementwise", formula="{out} = {x} / 2", grad="d{x} = d{out} / 2",
...            narration="Halve every entry of {x}.")
... def halve(x):
...     return x / 2, lambda g, need: (g / 2,)
>>> with tracer.record() as trace:
...     y = halve(tracer.tensor([4.0, 6.0], name="x"), name="y")
>>> y.numpy().tolist(), trace.steps[0].formula
([2.0, 3.0], 'y = x / 2')
>>> del REGISTRY["halve"]  # (an example's op: forgotten)
"""
from __future__ import annotations

import functools
import inspect
from typing import Any, Callable

from ..errors import TracerError
from .composite_steps import apply_composite
from .core import apply
from .labels import has_rule
from .spec import FAMILIES, REGISTRY, OpSpec


def _declare(name: str, fn: Callable, composite: bool, **kw: Any) -> OpSpec:
    sig = inspect.signature(fn)
    params = [p for p in sig.parameters.values()
              if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL)]
    varargs = any(p.kind == p.VAR_POSITIONAL for p in params)
    defaults = tuple((p.name, p.default) for p in sig.parameters.values()
                     if p.kind == p.KEYWORD_ONLY and p.default is not p.empty)
    spec = OpSpec(name, kw.pop("formula"), kw.pop("grad", ""), kw.pop("narration"),
                  tuple(p.name for p in params), varargs, composite, defaults=defaults, forward=fn, **kw)
    if name in REGISTRY:
        raise TracerError(f"op {name!r} is declared twice")
    check_declaration(spec)
    REGISTRY[name] = spec
    return spec


def check_declaration(spec: OpSpec) -> None:
    """An op names a known family; a composite (and only a composite) declares its parts."""
    if spec.family not in FAMILIES:
        raise TracerError(f"op {spec.name!r}: family {spec.family!r} is not one of {', '.join(FAMILIES)}")
    if spec.composite != bool(spec.parts):
        raise TracerError(f"op {spec.name!r}: " + ("a composite declares its parts (parts=...)"
                                                    if spec.composite else "only a composite has parts"))
    if not has_rule(spec):
        raise TracerError(f"op {spec.name!r}: say how axis labels pass through it (labels=...)")
    if len(set(spec.parts)) != len(spec.parts) or not all(p.isidentifier() for p in spec.parts):
        raise TracerError(f"op {spec.name!r}: parts must be distinct identifiers, got {spec.parts}")


def primitive(name: str, **kw: Any) -> Callable[[Callable], Callable[..., Any]]:
    """Declare a primitive op: forward, local gradient, formula and narration in one place."""
    def deco(fn: Callable) -> Callable[..., Any]:
        spec = _declare(name, fn, False, **kw)

        @functools.wraps(fn)
        def op(*args: Any, name: str | None = None, names_from: Any = None, **attrs: Any) -> Any:
            return apply(spec, fn, _positional(spec, args, attrs), attrs, name, names_from=names_from)

        op.spec = spec  # type: ignore[attr-defined]
        return op
    return deco


def composite(name: str, **kw: Any) -> Callable[[Callable], Callable[..., Any]]:
    """Declare a composite op: its body calls primitives, recorded as child steps of one parent."""
    def deco(fn: Callable) -> Callable[..., Any]:
        spec = _declare(name, fn, True, **kw)

        @functools.wraps(fn)
        def op(*args: Any, name: str | None = None, **attrs: Any) -> Any:
            return apply_composite(spec, fn, _positional(spec, args, attrs), attrs, name)

        op.spec = spec  # type: ignore[attr-defined]
        return op
    return deco


def _positional(spec: OpSpec, args: tuple, attrs: dict) -> tuple:
    """Tensor inputs given by keyword (``linear(W, X, b=b)``) moved among the positional ones."""
    if not attrs or spec.varargs or not any(p in attrs for p in spec.params):
        return args
    rest = tuple(attrs.pop(p, None) for p in spec.params[len(args):])
    while rest and rest[-1] is None:
        rest = rest[:-1]
    return args + rest
