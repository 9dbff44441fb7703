"""A deck as a printable PDF handout (fpdf2): one A4 page per slide, the still with its caption,
the narration and the working below it. Text stays text (searchable, sharp in print): the fonts
are embedded (DejaVu for Latin and Vietnamese, Noto Sans CJK for Chinese, each the other's
fallback), never drawn as pictures.

>>> from tracer.trace import Step
>>> step = Step(0, "forward", "relu", "H", [], [])
>>> deck = Deck("Demo", "zh-Hant", [Slide("整流", 0, 0, step, "H = max(0, Z)", "保留正數。")])
>>> pdf_bytes(deck)[:5]
b'%PDF-'
"""
from __future__ import annotations

import io
import logging
import os
from pathlib import Path

from fpdf import FPDF

from ..errors import TracerError
from ..files import atomic_write
from .words import word
from .slides import Deck, Slide

# Debian's fonts-dejavu-core and fonts-noto-cjk (the Makefile installs both)
FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/opentype/noto", "/usr/share/fonts/truetype/noto")
FONTS = {  # family -> (regular, bold) file names
    "sans": ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
    "mono": ("DejaVuSansMono.ttf", "DejaVuSansMono-Bold.ttf"),
    "cjk": ("NotoSansCJK-Regular.ttc", "NotoSansCJK-Bold.ttc"),
}
CJK_FACE = {"zh-Hans": 2, "zh-Hant": 3}      # the face inside the Noto CJK collection
PAGE_W, MARGIN = 210, 12
MAX_WORKING = 14     # working lines printed under a still (the notes of the HTML deck hold them all)
INK, MUTED, ACCENT = (33, 37, 41), (108, 117, 125), (232, 89, 12)


def _font(name: str) -> str:
    for folder in FONT_DIRS:
        path = Path(folder) / name
        if path.exists():
            return str(path)
    raise TracerError(f"the font {name} is missing: install fonts-dejavu-core and fonts-noto-cjk")


class Handout(FPDF):
    """A4 pages with a running header (the deck's title) and a page count in the footer."""

    def __init__(self, deck: Deck) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.deck = deck
        face = CJK_FACE.get(deck.lang, 3)
        for family, (regular, bold) in FONTS.items():
            number = face if family == "cjk" else 0
            self.add_font(family, "", _font(regular), collection_font_number=number)
            self.add_font(family, "B", _font(bold), collection_font_number=number)
        chinese = deck.lang.startswith("zh")
        self.body = "cjk" if chinese else "sans"
        self.set_fallback_fonts(["sans", "cjk"], exact_match=False)  # a CJK term in a mono working too
        self.set_auto_page_break(False)
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_title(deck.title)
        self.set_creator("tracer slides")
        self.alias_nb_pages()

    def header(self) -> None:
        self.set_font(self.body, "", 9)
        self.set_text_color(*MUTED)
        self.cell(0, 6, self.deck.title, new_x="LMARGIN", new_y="NEXT")
        self.line(MARGIN, self.get_y(), PAGE_W - MARGIN, self.get_y())
        self.ln(3)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(self.body, "", 8)
        self.set_text_color(*MUTED)
        self.cell(0, 6, word("page_of", self.deck.lang, n=self.page_no(), total="{nb}"), align="C")

    def para(self, text: str, size: float, color=INK, bold: bool = False, family: str | None = None,
             height: float | None = None) -> None:
        if not text:
            return
        self.set_font(family or self.body, "B" if bold else "", size)
        self.set_text_color(*color)
        self.multi_cell(0, height or size * 0.5, text, new_x="LMARGIN", new_y="NEXT")


def _page(pdf: Handout, slide: Slide, k: int) -> None:
    deck, lang = pdf.deck, pdf.deck.lang
    pdf.add_page()
    if k == 0 and deck.question:
        pdf.para(deck.question, 13, ACCENT)
        pdf.ln(1)
    width = PAGE_W - 2 * MARGIN
    if slide.still is not None:
        info = pdf.image(io.BytesIO(slide.still), x=MARGIN, y=pdf.get_y(), w=width)
        pdf.set_y(pdf.get_y() + info.rendered_height + 3)
    elif deck.stills:
        pdf.para(word("no_still", lang), 11, MUTED)
        pdf.ln(2)
    pdf.para(slide.title, 15, INK, bold=True, height=8)
    pdf.para(slide.span(lang), 9, MUTED)
    pdf.ln(1)
    pdf.para(slide.formula, 11, INK, bold=True, family="mono", height=6)
    pdf.para(slide.narration, 11, INK, height=6)
    if slide.working:
        pdf.ln(2)
        pdf.para(word("working_title", lang, cell=slide.cell), 9, MUTED)
        lines = slide.working if len(slide.working) <= MAX_WORKING else slide.working[-MAX_WORKING:]
        pdf.para("\n".join(lines), 9, INK, family="mono", height=4.6)
    if k == len(deck.slides) - 1 and deck.recap:
        pdf.ln(3)
        pdf.para(word("recap_line", lang, text=deck.recap), 12, ACCENT, bold=True, height=6.5)


def pdf_bytes(deck: Deck) -> bytes:
    """The handout as the bytes of a PDF file."""
    # fontTools reports every step of subsetting a font at INFO: a root handler (Manim sets one
    # when the stills are rendered) would print hundreds of lines
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    pdf = Handout(deck)
    for k, slide in enumerate(deck.slides):
        _page(pdf, slide, k)
    return bytes(pdf.output())


def write(deck: Deck, path: str | os.PathLike[str]) -> None:
    """Write ``deck`` to ``path`` as a PDF handout (atomically)."""
    data = pdf_bytes(deck)
    atomic_write(path, lambda fh: fh.write(data))
