"""A deck as a PowerPoint file (python-pptx): one 16:9 slide per pause point, the still, the title
and caption on the slide, the narration and working as speaker notes.

>>> import io
>>> from pptx import Presentation
>>> from tracer.trace import Step
>>> step = Step(0, "forward", "relu", "H", [], [])
>>> deck = Deck("Demo", "en", [Slide("ReLU", 0, 0, step, "H = max(0, Z)", "Keep the positives.")])
>>> shown = Presentation(io.BytesIO(pptx_bytes(deck)))
>>> len(shown.slides), shown.slides[0].notes_slide.notes_text_frame.text.splitlines()[1]
(1, 'H = max(0, Z)')
"""
from __future__ import annotations

import io
import os

from PIL import Image
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.util import Emu, Inches, Pt

from ..files import atomic_write
from .words import word
from .slides import Deck, Slide

WIDTH, HEIGHT = Inches(13.333), Inches(7.5)     # 16:9
MARGIN = Inches(0.4)
INK, MUTED, ACCENT = RGBColor(0x21, 0x25, 0x29), RGBColor(0x6C, 0x75, 0x7D), RGBColor(0xE8, 0x59, 0x0C)
MONO = 16.5      # the size of a formula line: it is set in the monospace font
FONTS = {"en": "Calibri", "vi": "Calibri", "zh-Hant": "Noto Sans CJK TC", "zh-Hans": "Noto Sans CJK SC"}


def _text(slide, left, top, width, height, lines, lang: str) -> None:
    """A text box of ``lines`` (text, size in points, colour, bold); a formula (``MONO``) in the
    numbers' monospace font."""
    box = slide.shapes.add_textbox(left, top, width, height)
    frame = box.text_frame
    frame.word_wrap = True
    for k, (content, size, color, bold) in enumerate(lines):
        para = frame.paragraphs[0] if k == 0 else frame.add_paragraph()
        run = para.add_run()
        run.text = content
        run.font.size, run.font.bold, run.font.color.rgb = Pt(size), bold, color
        run.font.name = "JetBrains Mono" if size == MONO else FONTS[lang]


def _picture(slide, png: bytes, top: int, bottom: int, clip: bytes | None = None) -> None:
    """The still (or the clip, the still its poster), as large as fits between ``top`` and
    ``bottom``, centred."""
    pixels_w, pixels_h = Image.open(io.BytesIO(png)).size
    scale = min((WIDTH - 2 * MARGIN) / pixels_w, (bottom - top) / pixels_h)
    width, height = Emu(int(pixels_w * scale)), Emu(int(pixels_h * scale))
    left = Emu(int((WIDTH - width) / 2))
    if clip is None:
        slide.shapes.add_picture(io.BytesIO(png), left, top, width, height)
    else:
        slide.shapes.add_movie(io.BytesIO(clip), left, top, width, height, poster_frame_image=io.BytesIO(png),
                               mime_type="video/mp4")


def _add(prs, deck: Deck, item: Slide, k: int) -> None:
    lang = deck.lang
    slide = prs.slides.add_slide(prs.slide_layouts[6])      # blank
    head = [(item.title, 28, INK, True), (item.span(lang), 12, MUTED, False)]
    if k == 0 and deck.question:
        head.insert(0, (deck.question, 16, ACCENT, False))
    _text(slide, MARGIN, Inches(0.2), WIDTH - 2 * MARGIN, Inches(1.1), head, lang)
    # a still carries the formula and narration on its caption band
    foot = [] if item.still is not None else [(item.formula, MONO, INK, True), (item.narration, 14, INK, False)]
    if k == len(deck.slides) - 1 and deck.recap:
        foot.append((word("recap_line", lang, text=deck.recap), 14, ACCENT, True))
    top, bottom = Inches(1.45), HEIGHT - (Inches(1.5) if foot else Inches(0.3))
    if item.still is not None:
        _picture(slide, item.still, top, bottom, item.clip)
    elif deck.stills:
        _text(slide, MARGIN, top, WIDTH - 2 * MARGIN, Inches(1), [(word("no_still", lang), 16, MUTED, False)], lang)
    if foot:
        _text(slide, MARGIN, bottom + Inches(0.05), WIDTH - 2 * MARGIN, Inches(1.4), foot, lang)
    slide.notes_slide.notes_text_frame.text = item.notes(lang)


def pptx_bytes(deck: Deck) -> bytes:
    """The deck as the bytes of a .pptx file."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = WIDTH, HEIGHT
    prs.core_properties.title = deck.title
    prs.core_properties.language = deck.lang
    for k, item in enumerate(deck.slides):
        _add(prs, deck, item, k)
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()


def write(deck: Deck, path: str | os.PathLike[str]) -> None:
    """Write ``deck`` to ``path`` as a .pptx file (atomically)."""
    data = pptx_bytes(deck)
    atomic_write(path, lambda fh: fh.write(data))
