"""Where the gradients an ``accumulate`` step adds came from.

A tensor fed several ops gets a gradient back from each; the trace names them in the order they
came, ``dx′``, ``dx″``, ``dx‴`` (:func:`tracer.notation.share_mark`), and their sum ``dx``.
What the name cannot say is the op each one flowed back through: :func:`shares` finds it (the
forward step whose gradient step made it), and :func:`told` says it in a sentence, which the
step's narration ends with, in every viewer and language.

>>> import tracer
>>> with tracer.record() as trace:
...     x = tracer.param([1.0, 2.0], name="x")
...     y = tracer.mul(x, 3.0, name="tripled") + tracer.exp(x, name="grown")
...     y.sum().backward()
>>> acc = next(s for s in trace.steps if s.op == "accumulate")
>>> acc.formula
'dx = dx′ + dx″'
>>> shares(trace, acc)
[('dx′', 'grown'), ('dx″', 'tripled')]
>>> told(trace, acc, "en")
'Added here: dx′ (back through grown), dx″ (back through tripled).'
"""
from __future__ import annotations

from ..i18n import check_language, phrase
from ..ops.spec import REGISTRY
from ..trace import Step, Trace

_SEPARATOR = {"en": ", ", "zh-Hant": "、", "zh-Hans": "、", "vi": ", "}


def shares(trace: Trace, step: Step) -> list[tuple[str, str | None]]:
    """The inputs of ``step`` (an ``accumulate`` step) as ``(name, through)``: the forward step a
    contribution flowed back through, named as short as tells it apart from the others (``mean``
    is an op's name: ``ln2.mean``), ``None`` for the sum of earlier contributions."""
    fwd_names: list[str | None] = []
    for tid in step.inputs:
        producer = trace.tensors[tid].producer
        made_by = trace.steps[producer] if producer is not None else None
        if made_by is None or made_by.op == "accumulate" or made_by.grad_of is None:
            fwd_names.append(None)
        else:
            fwd_names.append(trace.steps[made_by.grad_of].name)
    known = {n for n in fwd_names if n is not None}
    return [(trace.tensors[tid].name, None if n is None else _short(n, known - {n}))
            for tid, n in zip(step.inputs, fwd_names)]


def _short(name: str, others: set[str]) -> str:
    """The last parts of the dotted ``name``: at least one, more while they are only an op's name
    or read as the end of one of ``others``."""
    parts = name.split(".")
    for k in range(1, len(parts) + 1):
        tail = ".".join(parts[-k:])
        if k < len(parts) and (tail in REGISTRY or any(o == tail or o.endswith("." + tail) for o in others)):
            continue
        return tail
    return name


def told(trace: Trace, step: Step, lang: str = "en") -> str:
    """The sentence an accumulate step's narration ends with: what each of its inputs is."""
    lang = check_language(lang)
    items = [phrase("share_through", lang, name=name, op=through) if through is not None
             else phrase("share_so_far", lang, name=name) for name, through in shares(trace, step)]
    return phrase("shares_added", lang, shares=_SEPARATOR[lang].join(items))
