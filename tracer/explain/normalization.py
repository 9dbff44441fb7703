"""The working of a layer norm or a batch norm cell: each part on its own line, named as the
formula names it, so that a reader redoes the whole cell from the numbers shown.

``x − μ = 2.132 − 1.776 = 0.356;  (x − μ) / σ = 0.356 / 0.55 = 0.65;  γ·x̂ + β = 0.65×1 + 0 = 0.65``

Each line is the working of the part that made it (:func:`work` on that part's cell), x and μ as
the grids draw them (with the digits x − μ needs, :mod:`.digits`), each line's result carried
into the next with the digits both hold with (:func:`.forward.carrying`): the video, the stepper
and the sheets show the same lines. γ·x̂ and + β make one line when it holds as printed,
else two.

>>> import tracer
>>> from tracer.explain import explain
>>> with tracer.record() as trace:
...     y = tracer.layer_norm(tracer.tensor([[1.0, 3.0]], name="x"), tracer.tensor([2.0, 1.0], name="g"),
...                           tracer.tensor([0.5, 0.0], name="b"), name="y")
>>> explain(trace, trace.steps[0], (0, 1), minus="−").lines
('x − μ = 3 − 2 = 1', '(x − μ) / σ = 1 / 1.00 = 1.00', 'γ·x̂ + β = 1.00×1 + 0.00 = 1.00')
"""
from __future__ import annotations

from .check import check_line
from .forward import carrying
from .working import Context, Working, for_family, work

_NAMED = (("centered", "x − μ"), ("normalized", "(x − μ) / σ"))


@for_family("normalization")
def normalized(ctx: Context) -> Working | None:
    """A normalisation made of a centring, a division by the spread and an optional γ and β (a
    softmax or an L2 norm, of the same family, has its own working or the composite's)."""
    parts = ctx.trace.parts(ctx.step)
    if not {"centered", "normalized"} <= set(parts) or ctx.index is None:
        return None
    made = [k for k in ("centered", "normalized", "scaled", "shifted") if k in parts]
    said: dict[str, Working] = {}

    def lines() -> list[str]:
        said.update({k: work(ctx.at(parts[k], 0, ctx.index)) for k in made})
        out = [f"{name} = {said[k].lines[-1]}" for k, name in _NAMED]
        scaled, shifted = said.get("scaled"), said.get("shifted")
        if scaled and shifted:
            out += _affine(scaled.lines[-1], shifted.lines[-1])
        elif scaled or shifted:
            out.append(f"{'γ·x̂' if scaled else 'x̂ + β'} = {(scaled or shifted).lines[-1]}")
        return out
    # each line's result is the next one's number: pinned to the digits every line holds with
    done = carrying(ctx, [parts[k].outputs[0] for k in made[:-1]], lines)
    reads = [r for w in said.values() for r in w.reads if r[0] in ctx.step.inputs]
    return ctx.working(done, list(dict.fromkeys(reads)), formula=ctx.formula)


def _affine(scaled: str, shifted: str) -> list[str]:
    """``γ·x̂ + β = 0.65×1 + 0 = 0.65`` when that holds as printed, else the two lines it joins."""
    (times, _, product), (plus, _, result) = _last_result(scaled), _last_result(shifted)
    tail = plus[len(product):] if plus.startswith(product + " ") else ""
    joined = [f"{times}{tail} {mark} {result}" for mark in "=≈" if tail]
    fits = next((j for j in joined if not check_line(j)[0]), None)
    return [f"γ·x̂ + β = {fits}"] if fits else [f"γ·x̂ = {scaled}", f"γ·x̂ + β = {shifted}"]


def _last_result(line: str) -> tuple[str, str, str]:
    """A working line split at its last ``=`` or ``≈``: (expression, mark, printed result)."""
    at = max(line.rfind(" = "), line.rfind(" ≈ "))
    return (line[:at], line[at + 1], line[at + 3:]) if at >= 0 else (line, "=", line)
