"""AI-by-Hand walkthroughs of a trace, rendered with Manim (no LaTeX).

``scenes.render.render(trace, ...)`` is the entry point (``tracer render`` on the command line).
The kit: :mod:`~scenes.grid` (a tensor as a worksheet matrix), :mod:`~scenes.caption`,
:mod:`~scenes.canvas` (placed grids; the product layout in :mod:`~scenes.placement`, what is on
the scene in :mod:`~scenes.culling`), :mod:`~scenes.camera` (the view and the captions),
:mod:`~scenes.stage` (which owns both, and the slots), :mod:`~scenes.pace`,
:mod:`~scenes.players` (one per op family, and a generic one), :mod:`~scenes.curated`
(recognising autoencoders, attention, backprop, sparse autoencoders) and
:mod:`~scenes.walkthrough` (the Manim scene: one section per trace step).
"""
from __future__ import annotations

from .render import render

__all__ = ["render"]
