"""Stills of a walkthrough, all taken in one pass of the scene: the frame after each of the
requested beats, exactly what a still render ending on that beat shows (``--format png``).

The beats are laid out once, without drawing, and a frame is drawn only where a still is asked
for; a deck of twenty slides costs one layout of the walkthrough, not twenty. Both the lecture
slides (``tracer slides``) and ``tracer render --format png -o DIR/`` take their stills here.
"""
from __future__ import annotations

import io
import tempfile
from pathlib import Path
from typing import Callable


def render_stills(plan, ends: list[int], quality: str = "l", fps: int | None = None,
                  progress: Callable[[int, int], None] | None = None) -> list[bytes]:
    """PNG images of ``plan``'s frame after each beat in ``ends`` (indices into ``plan.beats``),
    in the order asked.

    Parameters
    ----------
    plan : scenes.plan.Plan
    ends : list of int
        The beats a still ends on (a still of window ``(a, b)`` ends on beat ``b - 1``).
    quality, fps
        As :func:`scenes.render.render`.
    progress : callable, optional
        Called as ``progress(done, total)`` as stills are taken (``total`` is ``len(ends)``).
    """
    from PIL import Image

    from .render import render_scene

    wanted = sorted(set(ends))
    if not wanted:
        return []
    seen = [0]

    def on_beat(k: int) -> None:
        if k in wanted and progress:
            seen[0] += ends.count(k)
            progress(seen[0], len(ends))
    with tempfile.TemporaryDirectory(prefix="tracer-stills-") as tmp:
        scene = render_scene(plan, (0, wanted[-1] + 1), Path(tmp) / "last.png", quality, fps, still=True,
                             on_beat=on_beat, stills=tuple(wanted))
    images = {}
    for k in wanted:
        buffer = io.BytesIO()
        Image.fromarray(scene.frames[k]).save(buffer, format="png")
        images[k] = buffer.getvalue()
    return [images[k] for k in ends]
