"""Lecture material from any trace: slides (offline HTML, PPTX, a PDF handout), subtitles,
exercise sheets with their answer key (:mod:`.sheet`), stills for slides (:mod:`.stills`) and
inline display in notebooks (:mod:`.notebook`).

Viewers only read the trace: every number is printed by the one rounding rule and every working
comes from :func:`tracer.explain.explain`. Nothing here imports Manim; the stills and the videos
a notebook shows import the renderer when they are asked for.
"""
from __future__ import annotations

from .exercise import Blank, Exercise, SheetPlan, plan_sheet
from .sheet import sheet_pdf, write_sheet

__all__ = ["Blank", "Exercise", "SheetPlan", "plan_sheet", "sheet_pdf", "write_sheet"]
