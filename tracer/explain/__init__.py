"""The explanation layer: the arithmetic behind any output cell of any step (its *working*).

The stepper, the scenes, ``tracer show`` and the exercise sheets all call :func:`explain`; none of
them computes a value. Every number in a :class:`Working` is a trace value as printed
(:mod:`.numbers`), and every line holds as printed: a reader who redoes it from the numbers shown
gets the result shown, or the line says ≈.

>>> import tracer
>>> from tracer.explain import explain
>>> with tracer.record() as trace:
...     Z = tracer.tensor([[1, 2], [0, 1]], name="W") @ tracer.tensor([[3], [4]], name="X")
>>> w = explain(trace, trace.steps[0], (0, 0))
>>> w.terms, w.partials, w.expression
(('1×3', '2×4'), ('3', '11'), '1×3 + 2×4 = 11')
"""
from __future__ import annotations

from dataclasses import replace

from ..i18n import check_language
from ..trace import Step, Trace
from . import backward, forward, normalization, structural  # noqa: F401  (they register their workings)
from .forward import reduced_axes
from .noise import noisy, tensor_format
from .numbers import Index, Numbers
from .working import Context, Working, chain, for_family, for_op, resolve, with_operands, work

__all__ = ["Working", "explain", "for_family", "for_op", "chain", "reduced_axes", "noisy", "tensor_format",
           "number_view", "spread"]


def number_view(trace: Trace, minus: str = "-") -> Numbers:
    """The cells of ``trace`` as every viewer prints them: a working's numbers, a sheet's blanks and a
    notebook's tables alike, rounding noise as ``0.00`` (:mod:`.noise`). The verdicts on noise are
    themselves worked out on a plain view (:class:`Numbers` without ``formats``), hence the
    argument rather than an import of :mod:`.noise` by :mod:`.numbers`."""
    return Numbers(trace, minus, tensor_format)


def explain(trace: Trace, step: Step | int | str, index: Index | int | None, output: int = 0,
            minus: str = "-", lang: str = "en", parts: bool = False) -> Working:
    """The working of cell ``index`` of output ``output`` of ``step``.

    Parameters
    ----------
    trace : Trace
    step : Step, int or str
        The step, its id or its name.
    index : tuple of int
        The output cell, e.g. ``(i, j)``; ``()`` (or ``None``) for a single number.
    output : int
        Which output of a step with several (a split, a backward step with two gradients).
    minus : str
        The minus sign to print (``"−"`` on screen, ``"-"`` in a terminal).
    lang : str
        The language of the few words a working has (``keep it``, ``94 terms``).
    parts : bool
        A composite's gradient cell worked by one of its parts: that part's working, whatever part
        tensors it reads, for a viewer that prints them beside it (a sheet's given grids). By
        default, as the walkthrough and the stepper show the composite: from its own grids, or its
        value alone (:mod:`tracer.explain.shown`).

    Raises
    ------
    TracerError
        When the step, the output or the cell does not exist.
    """
    step, index = resolve(trace, step, index, output)
    ctx = Context(trace, step, output, index, number_view(trace, minus), check_language(lang),
                  extra={"parts": True} if parts else {})
    return with_operands(work(ctx), step)


def spread(trace: Trace, step: Step | int | str, index: Index | int | None, minus: str = "-",
           lang: str = "en") -> Working:
    """The working of cell ``index`` of a normalisation's spread σ (one per sample): the variance, then
    its root (``σ² = (0.13 + 0.18 + 0.02 + 0.88) / 4 = 0.30``, then ``√0.30 = 0.55``), each line its
    part's own working, so that a viewer shows σ as every other cell, without writing a line itself.

    >>> import tracer
    >>> with tracer.record() as trace:
    ...     y = tracer.layer_norm(tracer.tensor([[1.0, 3.0]], name="x"), name="y")
    >>> spread(trace, trace.steps[0], (0, 0), minus="−").lines
    ('σ² = (1 + 1) / 2 = 1', '√1.00 = 1.00')
    """
    step = step if isinstance(step, Step) else trace.step(step)
    parts = trace.parts(step)
    std = explain(trace, parts["std"], index, minus=minus, lang=lang)
    var = parts.get("var")
    if var is None:
        return std
    variance = explain(trace, var, index, minus=minus, lang=lang)
    return replace(std, lines=(f"σ² = {variance.expression}",) + std.lines)
