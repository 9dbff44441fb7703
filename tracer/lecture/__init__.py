"""Lecture material from a trace: slides (HTML, PPTX, PDF handout), subtitles, exercise sheets.

Everything here reads a trace (and PNG stills the renderer made); nothing imports Manim.
"""
