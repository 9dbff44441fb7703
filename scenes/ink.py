"""How wide a line of ``Text`` is, without building it.

A Manim ``Text`` costs 30-250 ms: Pango lays the line out and writes an SVG (about 1.5 ms), then
svgelements parses the SVG and Manim turns each glyph into a mobject (the rest). Measuring a line
needs only the ink's horizontal extent, so :func:`width` asks Pango for the same SVG ``Text`` would
write (the same settings, size and line spacing) and reads the x coordinates of its glyph outlines
(Cairo writes them as absolute ``M``/``L``/``C`` commands, placed by ``<use x=...>``). A ``Text``'s
width is the extent of all its points, Bezier handles included, scaled by one factor from SVG units
to scene units: :func:`_scale` measures that factor once, on a ``Text`` it builds.
"""
from __future__ import annotations

import functools
import re
import tempfile
from pathlib import Path

import manimpango
from manim import Text, config
from manim.constants import START_X, START_Y
from manim.mobject.text.text_mobject import DEFAULT_LINE_SPACING_SCALE, TEXT2SVG_ADJUSTMENT_FACTOR

_SYMBOL = re.compile(r'<symbol[^>]*id="([^"]+)"[^>]*>(.*?)</symbol>', re.S)
_PATH = re.compile(r'<path[^>]*\bd="([^"]*)"')
_USE = re.compile(r'<use\b[^>]*>')
_ATTR = re.compile(r'([\w:]+)="([^"]*)"')
_TRAILING_MOVE = re.compile(r'M\s*[-\d.eE]+\s+[-\d.eE]+\s*$')   # Manim drops it (remove_last_M)
_NUMBER = re.compile(r'[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?')


def _xs(d: str) -> list[float]:
    """The x coordinates in a path's data (every command's points are x y pairs)."""
    numbers = [float(n) for n in _NUMBER.findall(_TRAILING_MOVE.sub("", d.strip()))]
    return numbers[0::2]


def _svg(s: str, font: str, size: float, weight: str) -> str:
    """The SVG Pango writes for ``Text(s, font=font, font_size=size, weight=weight,
    disable_ligatures=True)`` (its one text setting: no t2c, no gradient, one line)."""
    setting = manimpango.TextSetting(0, len(s), font=font, slant="NORMAL", weight=weight, line_num=0,
                                     color="#000000")
    spacing = size + size * DEFAULT_LINE_SPACING_SCALE
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "line.svg")
        manimpango.text2svg([setting], size / TEXT2SVG_ADJUSTMENT_FACTOR, spacing / TEXT2SVG_ADJUSTMENT_FACTOR,
                            True, path, START_X, START_Y, config["pixel_width"], config["pixel_height"], s)
        return Path(path).read_text()


def svg_width(s: str, font: str, size: float, weight: str) -> float:
    """The horizontal extent of ``s``'s glyph outlines, in the SVG's units (0 for no ink)."""
    svg = _svg(s, font, size, weight)
    glyphs = {}
    for name, body in _SYMBOL.findall(svg):
        xs = [x for d in _PATH.findall(body) for x in _xs(d)]
        glyphs[name] = (min(xs), max(xs)) if xs else None
    lo, hi = float("inf"), float("-inf")
    for tag in _USE.findall(svg):
        attrs = dict(_ATTR.findall(tag))
        extent = glyphs.get(attrs.get("xlink:href", attrs.get("href", "")).lstrip("#"))
        if extent is not None:
            x = float(attrs.get("x", 0.0))
            lo, hi = min(lo, x + extent[0]), max(hi, x + extent[1])
    return hi - lo if hi >= lo else 0.0


@functools.cache
def _scale(font: str, size: float, weight: str) -> float:
    """Scene units per SVG unit, from one ``Text`` built and measured both ways."""
    probe = "Hxg"
    built = Text(probe, font=font, font_size=size, weight=weight, disable_ligatures=True)
    return float(built.width) / svg_width(probe, font, size, weight)


def width(s: str, font: str, size: float, weight: str = "NORMAL") -> float:
    """How wide ``Text(s, font=font, font_size=size, weight=weight, disable_ligatures=True)`` is."""
    return svg_width(s, font, size, weight) * _scale(font, size, weight)
