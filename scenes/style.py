"""The look of every scene: a workbook page, its colours, fonts and sizes, chosen once.

The AI-by-Hand convention: given inputs sit in pale yellow cells, computed cells get orange
numbers (attention's weights too: they are computed), gradients are blue, a weight an update
wrote has green numbers: one legend. Large matrices, heat maps and plots
of signed values are coloured by sign and size on a diverging orange–purple map (colour-blind
safe, and never the gradients' blue). Sizes are in Manim units: the frame is 8 units tall, so at
480p one unit is 60 pixels and a number's digits (about 0.21 units) are 12-13 pixels tall.
"""
from __future__ import annotations

from functools import lru_cache

# ---- colours (a light "paper" page: projectors and printouts read it best) ----------------------
PAPER = "#FBF8F1"
INK = "#212529"
MUTED = "#868E96"
FAINT = "#CED4DA"
RULE = "#ADB5BD"

GIVEN_FILL = "#FFF1B8"      # given inputs: pale yellow
GIVEN_EDGE = "#E6CF7A"
COMPUTED = "#E8590C"        # computed numbers: orange
COMPUTED_FILL = "#FFFFFF"
COMPUTED_EDGE = "#F2C8A9"
GRAD = "#1C6FD1"            # gradients: blue
GRAD_FILL = "#E3F0FF"
GRAD_EDGE = "#A5C8F0"
BIAS_FILL = "#E9ECEF"       # the bias column and the row of 1s: grey
BIAS_EDGE = "#C3C9CF"
CONST_FILL = "#F1F3F5"
DEAD = "#ADB5BD"            # a negative ReLU turned off, a blocked gradient
POSITIVE = "#E66101"        # sign-and-size colours: a diverging map, orange (+) to purple (−)
NEGATIVE = "#5E3C99"
STRIKE = "#E03131"          # a value struck out (ReLU's negatives)
HIGHLIGHT = "#D6336C"       # the row / column being read and the cell being written
HIGHLIGHT_FILL = "#FCC2D7"
UPDATE = "#2B8A3E"          # a weight that just moved

# ---- fonts: pinned, with fallbacks checked against what Pango can see ------------------------
NUMBER_FONTS = ("JetBrains Mono", "DejaVu Sans Mono", "Noto Sans Mono CJK SC")
PROSE_FONTS = {
    "zh-Hant": ("Noto Sans CJK TC", "Noto Sans CJK SC"),
    "zh-Hans": ("Noto Sans CJK SC", "Noto Sans CJK TC"),
    "en": ("DejaVu Sans", "Noto Sans CJK SC", "JetBrains Mono"),
    "vi": ("DejaVu Sans", "JetBrains Mono", "Noto Sans CJK SC"),
}
TITLE_FONTS = ("Comic Neue", "DejaVu Sans")

# ---- sizes (Manim units / font sizes) --------------------------------------------------------
NUMBER_SIZE = 21            # digits ~0.21 units tall: 12-13 px at 480p
SMALL_NUMBER_SIZE = 19      # gradients under values, shape labels
LABEL_SIZE = 22
FORMULA_SIZE = 22
NARRATION_SIZE = 19
CELL_HEIGHT = 0.40
GRAD_HEIGHT = 0.32          # the blue gradient band under a value
CELL_PAD = 0.16             # room around the widest number of a column
MIN_CELL_WIDTH = 0.44
GRID_GAP = 0.55             # between grids of one product layout
NAME_GAP = 0.3              # between a grid's bracket and a name written left of it
COL_NAME_GAP = 0.32         # between neighbouring column names: two letters (a word space is ~0.2,
                            # and 'once' 'upon' that close read as the phrase 'once upon')
FRAME_HEIGHT = 8.0
FRAME_WIDTH = 8.0 * 16 / 9
CAPTION_HEIGHT = 1.55       # the band at the bottom of the frame kept for the caption
HEADER_HEIGHT = 0.56        # the strip at the top of the frame kept for the chapter header
MAX_SHOWN = 9               # a dimension longer than this is elided ...
ELIDE_KEEP = 3              # ... to its first and last 3 (with ⋯ / ⋮ between)
TOP_MARGIN = 0.7            # the header strip and a little air: the work stays below it
MAX_ZOOM = 1.75             # the camera zooms out at most this much (digits ~7 px tall at 480p, 16 at 1080p)
# the largest canvas rectangle (width, height) the camera can frame the work in, zoomed out fully
WIDEST_ROOM = ((FRAME_WIDTH - 0.5) * MAX_ZOOM, (FRAME_HEIGHT - CAPTION_HEIGHT - TOP_MARGIN - 0.1) * MAX_ZOOM)
# operands drawn so far apart that framing them together would zoom the camera out further than this
# (cells smaller than drawn) are drawn again near the work (scenes.near); work too large for it, a
# wide product, is framed as far out as it needs (up to MAX_ZOOM)
LEGIBLE_ZOOM = 1.0
FAR_GAP = 4.0               # ... or with more empty canvas than this between them and the work
# a card's page (title, plot, overview, summary, recap; origin frame): the frame less a margin, and
# above the caption band where the subtitles are written (as far above it as the camera keeps work)
PAGE_LEFT, PAGE_RIGHT = -FRAME_WIDTH / 2 + 0.4, FRAME_WIDTH / 2 - 0.4
PAGE_BOTTOM = -FRAME_HEIGHT / 2 + CAPTION_HEIGHT + 0.1
PAGE_TOP = FRAME_HEIGHT / 2 - 0.15


@lru_cache(maxsize=None)
def _available() -> frozenset[str]:
    import manimpango

    return frozenset(manimpango.list_fonts())


def pick(candidates: tuple[str, ...]) -> str:
    """The first installed font of ``candidates`` (the last one if none is: Pango falls back)."""
    have = _available()
    return next((f for f in candidates if f in have), candidates[-1])


def number_font() -> str:
    return pick(NUMBER_FONTS)


def prose_font(lang: str) -> str:
    return pick(PROSE_FONTS.get(lang, PROSE_FONTS["en"]))


def title_font(lang: str) -> str:
    return prose_font(lang) if lang.startswith("zh") else pick(TITLE_FONTS)


def cjk_font(lang: str) -> str:
    """The face a CJK character in a line of the number font is set in: the first CJK face of
    ``lang``'s prose fonts (Noto Sans CJK TC for zh-Hant, whose glyph forms Taiwan reads; SC for
    the others). The monospace fonts have no CJK glyph, and a CJK glyph stretched to two of their
    cells reads as letter-spaced: 更 新 前 的."""
    return pick(tuple(f for f in PROSE_FONTS.get(lang, PROSE_FONTS["en"]) if "CJK" in f))

# Ops whose player writes the output over its input's cells (ReLU greys its negatives to 0 in
# place): their players say so when they register (scenes.players.register(..., in_place=True)).
IN_PLACE: set[str] = set()
