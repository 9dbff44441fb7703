"""Stills for people who build their own slides: one PNG per pause point of the walkthrough.

A pause point is the end of a chapter of the trace's story (``trace.meta["story"]``, see
:mod:`tracer.story`): the last step of the chapter the walkthrough shows. A trace without a story
pauses after every step it shows. Each still is the walkthrough's last frame at that step, named
by the step (``step-019-train.0.decoder.layer2.H4.png``). The renderer (Manim) is imported when a
still is asked for, never when this module is.

>>> from tracer.story import Chapter, Story
>>> story = Story({"en": "t"}, chapters=[Chapter({"en": "a"}, (0, 4)), Chapter({"en": "b"}, (5, 9)),
...                                      Chapter({"en": "c"}, (10, 12), pause=False)])
>>> pause_points(story, shown=[0, 3, 5, 6, 11], window=(0, 12))
[3, 6]
>>> pause_points(None, shown=[0, 3, 5], window=(3, 5))
[3, 5]
>>> file_name(7, "enc/../Z1 <b>")
'step-007-enc_.._Z1__b_.png'
"""
from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Callable

from ..errors import TracerError
from ..files import scratch_dir
from ..story import Story
from ..trace import Trace


def pause_points(story: Story | None, shown: list[int], window: tuple[int, int]) -> list[int]:
    """The step ids to take a still at: each pausing chapter's last shown step inside ``window``
    (every shown step of ``window`` when there is no story)."""
    lo, hi = window
    inside = [s for s in shown if lo <= s <= hi]
    if story is None or not story.chapters:
        return inside
    points = []
    for chapter in story.chapters:
        a, b = chapter.steps
        mine = [s for s in inside if a <= s <= b]
        if chapter.pause and mine:
            points.append(mine[-1])
    return sorted(set(points))


def file_name(step_id: int, name: str) -> str:
    """``step-007-<name>.png``, the name cut to what any file system takes."""
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", name)[:80].strip(".") or "step"
    return f"step-{step_id:03d}-{safe}.png"


def write_stills(trace: Trace, folder: str | os.PathLike[str], scene: str = "auto", steps: str | None = None,
                 depth: int | None = None, quality: str = "l", lang: str = "en",
                 progress: Callable[[int, int], None] | None = None) -> list[Path]:
    """Render one PNG per pause point of ``steps`` into ``folder`` (made if missing); returns them.

    The stills are taken in one pass of the walkthrough (:func:`scenes.stills.render_stills`) and
    written into a scratch folder inside ``folder``, moved in at the end, so an interrupted run
    leaves no half-written PNG. The other parameters are :func:`scenes.render.render`'s.
    """
    from scenes.curated import build_plan
    from scenes.plan import parse_steps
    from scenes.stills import render_stills

    out = Path(folder)
    if out.exists() and not out.is_dir():
        raise TracerError(f"-o {out}: is a file: stills go into a folder (end the name with /)")
    if not out.parent.is_dir():
        raise TracerError(f"-o {out}: there is no folder {out.parent}")
    plan = build_plan(trace, scene=scene, depth=depth, lang=lang)
    beat_of = {b.step.id: k for k, b in enumerate(plan.beats) if b.step is not None}
    window = parse_steps(steps, trace) or (0, len(trace.steps) - 1)
    points = pause_points(Story.from_meta(trace.meta), sorted(beat_of), window)
    if not points:
        raise TracerError(f"--steps {steps!r}: no step of that range is shown (try --depth 1)")
    out.mkdir(exist_ok=True)
    names = [file_name(p, trace.steps[p].name) for p in points]
    images = render_stills(plan, [beat_of[p] for p in points], quality=quality, progress=progress)
    with scratch_dir(out, ".tracer-stills-") as tmp:
        for name, image in zip(names, images):
            (tmp / name).write_bytes(image)
        for name in names:
            os.replace(tmp / name, out / name)
    return [out / name for name in names]
