"""An exercise sheet as a printable A4 PDF in the by-hand layout, then its answer key.

Each chosen step gets a block: the weights left of the result, the inputs above it, the axis
labels of each grid (``TensorRecord.labels``), some computed cells left as lettered empty boxes
with their hints below; the answer key fills every box and works it, line by line, with
:func:`tracer.explain.explain`. Text stays text (fonts embedded as subsets, CJK included), so the
PDF is searchable and sharp in print. fpdf2 writes the PDF; :mod:`.exercise` decides what is on it.

>>> import tracer
>>> with tracer.record() as trace:
...     Z = tracer.matmul(tracer.tensor([[1, 2]], name="W"), tracer.tensor([[3], [4]], name="X"), name="Z")
>>> pdf = sheet_pdf(plan_sheet(trace, blanks=1.0))
>>> pdf[:5], pdf.count(b"/Type /Page\\n") >= 2
(b'%PDF-', True)
"""
from __future__ import annotations

import os
from datetime import datetime, timezone

from ..errors import TracerError
from ..files import atomic_write, check_output
from ..story import Story
from ..trace import Trace
from .exercise import Exercise, SheetPlan, cell_name, plan_sheet
from .fonts import FALLBACKS, cjk_face, font_files
from .sheet_layout import CAPTION_H, CELL_H, MARGIN, PAGE_H, WIDTH, Layout, Placed, _cells
from .words import step_words, trace_title, word

INK, FAINT, BOX = (20, 20, 20), (120, 120, 120), (235, 242, 255)


def write_sheet(trace: Trace, output: str | os.PathLike[str], steps: str | None = None, blanks: float = 0.3,
                seed: int = 0, lang: str = "en") -> SheetPlan:
    """Plan the sheet of ``trace`` and write it to ``output`` atomically; returns the plan.

    Parameters
    ----------
    steps : str, optional
        ``A..B`` (step ids or names); default: the first chapter the trace's story works in full.
    blanks : float
        The share of each step's computed cells left empty (0..1).
    seed : int
        Chooses the blanks: the same seed gives the same sheet.
    lang : str
        ``en``, ``zh-Hant``, ``zh-Hans`` or ``vi``.
    """
    check_output(output, inputs=[trace.origin] if trace.origin else [])
    plan = plan_sheet(trace, steps, blanks, seed, lang)
    data = sheet_pdf(plan)
    atomic_write(output, lambda fh: fh.write(data))
    return plan


def sheet_pdf(plan: SheetPlan) -> bytes:
    """The PDF bytes of ``plan``: the exercises, then the answer key on pages of its own."""
    try:
        from fpdf import FPDF
    except ImportError as e:
        raise TracerError(f"the sheet needs fpdf2: pip install 'tracer[lecture]' ({e})") from None
    title = sheet_title(plan)

    class Paper(FPDF):
        running = title   # the answer key's pages say so at their foot (a key handed out alone)

        def footer(self) -> None:
            self.set_y(-11)
            self.set_font("sans", size=7)
            self.set_text_color(*FAINT)
            self.cell(0, 4, f"{self.running} · {word('page', plan.lang, n=self.page_no())}", align="C")

    pdf = Paper(format="A4", unit="mm")
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(True, MARGIN)
    pdf.set_creator("tracer")
    if os.environ.get("SOURCE_DATE_EPOCH", "").isdigit():  # reproducible builds: the same sheet, byte for byte
        pdf.set_creation_date(datetime.fromtimestamp(int(os.environ["SOURCE_DATE_EPOCH"]), timezone.utc))
    pdf.set_title(title)
    files = font_files()
    pdf.add_font("sans", fname=files["sans"])
    pdf.add_font("bold", fname=files["bold"])
    pdf.add_font("mono", fname=files["mono"])
    pdf.add_font("mono_more", fname=files["mono_more"])
    pdf.add_font("cjk", fname=files["cjk"], collection_font_number=cjk_face(plan.lang))
    pdf.set_fallback_fonts(list(FALLBACKS))
    Writer(pdf, plan, title).write()
    return bytes(pdf.output())


def sheet_title(plan: SheetPlan) -> str:
    named = trace_title(plan.trace, Story.from_meta(plan.trace.meta), plan.lang)
    return f"{word('sheet', plan.lang)} · {named}" if named else word("sheet", plan.lang)


class Writer(Layout):
    """Draws the plan on ``pdf``: one block per exercise, then the answer key."""

    def __init__(self, pdf, plan: SheetPlan, title: str) -> None:
        self.pdf, self.plan, self.title = pdf, plan, title
        self.trace, self.lang = plan.trace, plan.lang
        self.hidden = plan.blank_cells()
        self.label_of = {(b.tensor, b.index): b.label for e in plan.exercises for b in e.blanks}
        self.size = 8.0       # the numbers' font size; a wide block shrinks it

    # ---- the pages ---------------------------------------------------------------------------------
    def write(self) -> None:
        pdf = self.pdf
        pdf.add_page()
        self.heading(self.title, 15)
        self.paragraph(word("name_line", self.lang), 9)
        self.paragraph(word("instructions", self.lang), 9)
        self.paragraph(word("seed", self.lang, share=self.plan.share, seed=self.plan.seed), 7, FAINT)
        for ex in self.plan.exercises:
            self.exercise(ex, answers=False)
        self.notes()
        pdf.add_page()
        pdf.running = self.title.replace(word("sheet", self.lang), word("answer_key", self.lang), 1)
        self.heading(pdf.running, 15)
        self.paragraph(word("key_intro", self.lang), 9)
        for ex in self.plan.exercises:
            self.exercise(ex, answers=True)

    def notes(self) -> None:
        if self.plan.left_out:
            names = ", ".join(f"{s.id} {s.name}" for s in self.plan.left_out[:12])
            self.paragraph(word("left_out", self.lang, steps=names), 8, FAINT)
        if self.plan.cut:
            self.paragraph(word("more", self.lang, n=self.plan.cut), 8, FAINT)

    def heading(self, line: str, size: float) -> None:
        self.pdf.set_font("bold", size=size)
        self.pdf.set_text_color(*INK)
        self.pdf.multi_cell(WIDTH, size * 0.5, line, new_x="LMARGIN", new_y="NEXT")
        self.pdf.ln(1.5)

    def paragraph(self, line: str, size: float, color=INK, font: str = "sans") -> None:
        self.pdf.set_font(font, size=size)
        self.pdf.set_text_color(*color)
        self.pdf.multi_cell(WIDTH, size * 0.48, line, new_x="LMARGIN", new_y="NEXT")
        self.pdf.ln(1)

    # ---- one step ----------------------------------------------------------------------------------
    def exercise(self, ex: Exercise, answers: bool) -> None:
        pdf, step = self.pdf, ex.step
        shown = ex.results if answers else ex.shown()
        placed, height = self.layout(ex, answers)
        need = 14 + height + (0 if answers else 5 * min(len(ex.blanks), 4))
        if pdf.get_y() + need > PAGE_H - MARGIN - 6:
            pdf.add_page()
        pdf.ln(2)
        self.heading(f"{word('step', self.lang, n=step.id)} · {step.name} ({step.op})", 10)
        if not answers:
            formula, narration = step_words(self.trace, step, self.lang)
            if formula and narration.endswith(formula):  # said once, in the formula's own line
                narration = narration[:-len(formula)].rstrip(" :：")
            self.paragraph(formula, 8.5, font="mono")
            if narration:
                self.paragraph(narration, 8.5, FAINT)
        top = pdf.get_y() + 1
        for p in placed:
            if p.tid in shown:
                self.grid(p, top, ex, answers)
        if ex.given and not answers:
            pdf.set_xy(MARGIN, top + self.given_y)
            pdf.set_font("sans", size=7.5)
            pdf.set_text_color(*FAINT)
            pdf.cell(WIDTH, CAPTION_H - 0.5, word("given", self.lang))
        pdf.set_xy(MARGIN, top + height + 2)
        for b in ex.blanks:
            lead = f"{b.label}   {cell_name(self.trace, b.tensor, b.index)}"
            if answers:
                self.paragraph(f"{lead} = {b.answer.text}", 8.5, font="bold")
                for line in b.answer.lines:
                    self.pdf.set_x(MARGIN + 6)
                    self.pdf.set_font("mono", size=8)
                    self.pdf.set_text_color(*INK)
                    self.pdf.multi_cell(WIDTH - 6, 3.9, line, new_x="LMARGIN", new_y="NEXT")
                self.pdf.ln(0.8)
            else:
                self.paragraph(f"{lead} = {b.hint}", 8.5, font="mono")

    # ---- one grid ----------------------------------------------------------------------------------
    def grid(self, p: Placed, top: float, ex: Exercise, answers: bool) -> None:
        pdf, rec = self.pdf, self.trace.tensors[p.tid]
        y0, w, result = top + p.y, self.cell_w, p.tid in ex.results
        pdf.set_font("bold", size=self.size)
        pdf.set_text_color(*INK)
        pdf.set_xy(p.x, y0 - p.head)
        pdf.cell(max(w * p.cols, 20), 4.2, rec.name[:28])
        rows = self.labels(p.tid, 0) if not p.column else self.labels(p.tid, 1)
        cols = self.labels(p.tid, 1) if not p.column else ()
        pdf.set_font("sans", size=self.size * 0.8)
        pdf.set_text_color(*FAINT)
        if p.col_labels:
            for j, name in enumerate(cols[:p.cols]):
                pdf.set_xy(p.x + j * w, y0 - self.label_h() - 0.3)
                pdf.cell(w, self.label_h(), str(name), align="C")
        if p.row_labels:
            for i, name in enumerate(rows[:p.rows]):
                pdf.set_xy(p.x - self.label_w([p.tid]) - 0.5, y0 + i * CELL_H)
                pdf.cell(self.label_w([p.tid]), CELL_H, str(name), align="R")
        pdf.set_line_width(0.15)
        pdf.set_draw_color(*FAINT)
        for cell, (i, j) in zip(_cells(self.trace, p.tid), _positions(p)):
            x, y = p.x + j * w, y0 + i * CELL_H
            blank = (p.tid, cell) in self.hidden
            label = self.label_of.get((p.tid, cell), "")
            if blank and not answers:
                pdf.set_fill_color(*BOX)
                pdf.set_line_width(0.35)
                pdf.rect(x + 0.3, y + 0.3, w - 0.6, CELL_H - 0.6, style="DF")
                pdf.set_line_width(0.15)
                pdf.set_font("sans", size=self.size * 0.6)
                pdf.set_text_color(*FAINT)
                pdf.set_xy(x + 0.4, y + 0.2)
                pdf.cell(3, 2.2, label)
                continue
            if blank and result:  # the key shades the boxes the sheet left empty
                pdf.set_fill_color(*BOX)
            pdf.rect(x, y, w, CELL_H, style="DF" if blank and result else "D")
            pdf.set_font("bold" if blank and result else "mono", size=self.size)
            pdf.set_text_color(*INK)
            text = self.plan.text(p.tid, cell)
            shift = self.clear_of(label, text) if blank and result and label else 0.0
            pdf.set_xy(x + shift, y)
            pdf.cell(w - shift, CELL_H, text, align="C")
            if blank and result and label:
                pdf.set_font("sans", size=self.size * 0.6)
                pdf.set_text_color(*FAINT)
                pdf.set_xy(x + 0.4, y + 0.2)
                pdf.cell(3, 2.2, label)

    def clear_of(self, label: str, text: str) -> float:
        """How far right a key's answer moves to clear its box's corner letter ("u" beside "−1" read
        as one word): centred in the room right of the letter, else as far right as the cell allows."""
        self.pdf.set_font("sans", size=self.size * 0.6)
        room = self.letter_room(label)
        self.pdf.set_font("bold", size=self.size)
        wide = self.pdf.get_string_width(text)  # in bold, the font the key writes an answer in (and leaves set)
        return max(0.0, min(room, self.cell_w - wide - 0.8))


def _positions(p: Placed) -> list[tuple[int, int]]:
    """Row and column on the page of each cell, in the order :func:`_cells` lists them."""
    if p.column:
        return [(i, 0) for i in range(p.rows)]
    return [(i, j) for i in range(p.rows) for j in range(p.cols)]
