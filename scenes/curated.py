"""Curated walkthroughs, and recognising which one a trace is by its structure.

A trace is recognised by what it did, never by names: an ``attention`` step makes it
self-attention; an L1 penalty on ReLU features next to a reconstruction loss a sparse
autoencoder; layers that narrow then widen back to the input's shape, with a loss against the
input, an autoencoder; layers with a backward pass backprop; anything else is generic. A
``Trace.meta`` hint (``scene=`` or ``model=``) wins when present.

>>> import tracer
>>> with tracer.record() as trace:
...     W = tracer.param([[1.0, 2.0]], name="W")
...     tracer.sse(tracer.linear(W, tracer.tensor([[1.0], [1.0]], name="X")), tracer.tensor([[2.0]])).backward()
>>> recognise(trace)
'backprop'
"""
from __future__ import annotations

import numpy as np

from tracer.errors import TracerError
from tracer.i18n import check_language, phrase
from tracer.label_names import in_language
from tracer.ops.spec import REGISTRY, family_of
from tracer.story import Story
from tracer.trace import Step, Trace

from .plan import Plan, make_beats, parse_steps, visible_steps
from .storyplan import story_beats
from .pace import pace_for
from .words import word

SCENES = ("auto", "autoencoder", "attention", "backprop", "sparse_autoencoder", "generic")


def _parts(op: str) -> set[str]:
    """The parts ``op`` declares (a composite's named sub-steps)."""
    spec = REGISTRY.get(op)
    return set(spec.parts) if spec is not None else set()


def _is_attention(step: Step) -> bool:
    """Queries score keys, softmax weighs them: a layer with scores and weights among its parts."""
    return family_of(step.op) == "layer" and {"scores", "weights"} <= _parts(step.op)


def _is_squared_error(step: Step) -> bool:
    return family_of(step.op) == "loss" and "squared" in _parts(step.op)


def _top(trace: Trace, phase: str = "forward") -> list[Step]:
    return [s for s in trace.steps if s.phase == phase and s.parent is None]


def _layers(trace: Trace) -> list[Step]:
    """Forward layer steps: a layer whose parts include a product (a linear layer), or a product
    that is not inside a layer."""
    out = []
    for s in trace.steps:
        family = family_of(s.op)
        inside = s.parent is not None and family_of(trace.steps[s.parent].op) == "layer"
        if s.phase == "forward" and ((family == "layer" and "matmul" in _parts(s.op))
                                     or (family == "contraction" and not inside)):
            out.append(s)
    return out


def _is_autoencoder(trace: Trace) -> bool:
    layers = _layers(trace)
    losses = [s for s in _top(trace) if _is_squared_error(s)]
    if len(layers) < 2 or not losses:
        return False
    x = trace.tensors.get(layers[0].inputs[1])
    if x is None:
        return False
    widths = [trace.tensors[s.outputs[0]].shape[0] for s in layers]
    narrows = min(widths) < x.shape[0]
    for loss in losses:
        y, target = (trace.tensors[t] for t in loss.inputs[:2])
        same = target.id == x.id or (target.shape == x.shape and np.array_equal(target.data, x.data))
        if same and y.shape == x.shape and narrows:
            return True
    return False


def _is_sparse_autoencoder(trace: Trace) -> bool:
    tops = _top(trace)
    l1 = [s for s in tops if family_of(s.op) == "loss" and "abs" in _parts(s.op)]
    recon = [s for s in tops if _is_squared_error(s)]
    if not l1 or not recon:
        return False
    feature = trace.tensors[l1[0].inputs[0]]
    producer = trace.steps[feature.producer] if feature.producer is not None else None
    return producer is not None and family_of(producer.op) == "elementwise"  # an activation


def recognise(trace: Trace) -> str:
    """The curated walkthrough that fits ``trace`` (``generic`` when none does)."""
    hint = str(trace.meta.get("scene") or trace.meta.get("model") or "").lower().replace("-", "_")
    for name in SCENES[1:]:
        if hint == name or (hint and name in hint and name != "generic"):
            return "sparse_autoencoder" if "sparse" in hint else name
    if any(_is_attention(s) for s in trace.steps):
        return "attention"
    if _is_sparse_autoencoder(trace):
        return "sparse_autoencoder"
    if _is_autoencoder(trace):
        return "autoencoder"
    if _layers(trace) and any(s.phase == "backward" for s in trace.steps):
        return "backprop"
    return "generic"


def first_round(trace: Trace, steps: list[Step]) -> list[Step]:
    """One training iteration: the forward pass the first backward pass differentiates, that
    backward pass, and the updates after it (a loop records several; a preview pass before the
    loop is skipped, so every gradient finds the forward layout it belongs to)."""
    backward = [s for s in steps if s.phase == "backward"]
    if not backward:
        return steps
    end = len(trace.steps)
    seen_update = False
    for s in trace.steps[backward[0].id:]:
        if s.phase == "update":
            seen_update = True
        elif seen_update or (s.phase == "forward"):
            end = s.id
            break
    firsts = [s.grad_of for s in trace.steps[backward[0].id:end] if s.grad_of is not None]
    start = min(firsts) if firsts else 0
    while trace.steps[start].parent is not None:
        start = trace.steps[start].parent
    return [s for s in steps if start <= s.id < end]


def first_pass(trace: Trace, steps: list[Step]) -> list[Step]:
    """The first forward pass: up to the first loss or gradient, or where the model runs again (an
    op reading a weight that an earlier shown op of the same kind read: the next prompt of a
    generation loop, a training loop after a preview pass). Names cannot tell: two heads or two
    blocks repeat each other's names, but each reads weights of its own."""
    out, seen = [], set()
    for s in steps:
        weights = {(s.op, t) for t in s.inputs if trace.tensors[t].kind == "param"}
        if s.phase != "forward" or family_of(s.op) == "loss" or weights & seen:
            break
        seen |= weights
        out.append(s)
    return out


def common_scope(steps: list[Step]) -> str:
    """The scope every shown step shares (``train.0.`` for one iteration of a loop), to drop."""
    names = [s.name.split(".")[:-1] for s in steps]
    if not names:
        return ""
    prefix = names[0]
    for n in names[1:]:
        k = 0
        while k < min(len(prefix), len(n)) and prefix[k] == n[k]:
            k += 1
        prefix = prefix[:k]
    return ".".join(prefix) + "." if prefix else ""


def build_plan(trace: Trace, scene: str = "auto", depth: int | None = None,
               steps: str | tuple[int, int] | None = None, lang: str = "en", pace: str = "normal",
               story: bool = True) -> Plan:
    """The beats, chapters, mode and pacing of the walkthrough of ``trace``.

    A trace that tells its story (``trace.meta["story"]``, see :mod:`tracer.story`) is played as
    the story says, from the first step to the recap (:mod:`scenes.storyplan`), unless ``story``
    is false; otherwise the walkthrough shows one pass (or one training round) of it.
    """
    lang = check_language(lang)   # once, here: zh-hant is zh-Hant for every part of the plan
    trace = in_language(trace, lang)   # once, here: every grid and plot of the plan names its rows in lang
    if scene not in SCENES:
        raise TracerError(f"unknown scene {scene!r}: choose one of {', '.join(SCENES)}")
    if not trace.steps:
        raise TracerError("the trace has no steps to show")
    kind = recognise(trace) if scene == "auto" else scene
    expand = {s.op for s in trace.steps if _is_attention(s)} if kind == "attention" else ()  # opened
    chosen = visible_steps(trace, 0 if depth is None else depth, expand)
    told = Story.from_meta(trace.meta) if story else None
    if told is None:
        if kind in ("autoencoder", "backprop", "sparse_autoencoder"):
            chosen = first_round(trace, chosen)
        elif kind == "attention":
            chosen = first_pass(trace, chosen)
    title, subtitle = word(f"title_{kind}", lang), word(f"sub_{kind}", lang)
    if lang == "en" and trace.meta.get("title"):  # the trace's own title (written in English)
        title = str(trace.meta["title"])
    if told is not None:
        beats = story_beats(trace, told, chosen, lang, every=pace == "slow")
        title, subtitle = beats[0].title, beats[0].subtitle
    else:
        names, drop = set(trace.names()), common_scope(chosen)
        chapters = {s.id: _chapter(s, lang, names, drop) for s in chosen}
        beats = make_beats(trace, chosen, lang, title, subtitle, chapters)
    plan = Plan(trace, kind, title, subtitle, beats, "paging" if kind == "generic" else "canvas",
                pace_for(pace, quick=kind == "generic"), lang)
    window = parse_steps(steps, trace)
    if window is not None:
        lo, hi = window
        ids = [k for k, b in enumerate(beats) if b.step is not None and lo <= b.step.id <= hi]
        if not ids:
            raise TracerError(f"--steps {steps!r}: no step of that range is shown (try --depth 1)")
        first = 0 if ids[0] == 1 else ids[0]   # the title card opens a walkthrough shown from its start
        plan.window = (first, ids[-1] + 1)
    return plan


def _chapter(step: Step, lang: str, names: set[str], drop: str = "") -> str:
    """'Forward pass · encoder.layer1': the phase, then the scope the step ran in (if any)."""
    if step.phase == "forward" and family_of(step.op) == "loss":
        return phrase("loss", lang)
    head = phrase(step.phase, lang)
    name = step.name[len(drop):] if drop and step.name.startswith(drop) else step.name
    parts = name.split(".")[:-1]
    while parts and (drop + ".".join(parts)) in names:
        parts.pop()  # a step's own name (L in L.grad) is not a scope
    parts = [p for p in parts if p != "grad"]
    scope = ".".join(parts)
    return f"{head} · {scope}" if scope and (drop + scope) not in names else head


