"""``tracer sheet``: the PDF opens with poppler and has the expected pages, the blanks are the
seed's, the answer key's numbers are the trace's as the one rounding rule prints them and every
printed line adds up; a zh-Hant sheet holds its Chinese as text; every mistake is one line, exit 2,
and no file is written or clobbered."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys

import numpy as np
import pytest
from click.testing import CliRunner

import tracer
from tracer.cli import main
from tracer.display import fmt, number_format
from tracer.explain.check import check_line
from tracer.lecture import plan_sheet, sheet_pdf

pytest.importorskip("fpdf")
needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (make system)")


@pytest.fixture(scope="module")
def ae_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("sheet") / "ae.trace"
    result = CliRunner().invoke(main, ["run", "autoencoder", "-o", str(path)])
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture(scope="module")
def ae(ae_file):
    return tracer.load(ae_file)


def pdf_text(path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def pages(path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))


def sheet(*args):
    return CliRunner().invoke(main, ["sheet", *map(str, args)])


@needs_poppler
def test_sheet_opens_with_the_steps_and_the_answer_key(ae_file, tmp_path):
    out = tmp_path / "sheet.pdf"
    result = sheet(ae_file, "--steps", "0..4", "--blanks", "0.5", "--seed", "7", "-o", out)
    assert result.exit_code == 0, result.output
    assert "2 steps" in result.output  # Z1 (linear, its parts folded) and H1
    text = pdf_text(out)
    assert pages(out) == 2  # one page of exercises, one of answers
    assert text.index("Step 0 · train.0.encoder.layer1.Z1") < text.index("Step 4 · train.0.encoder.layer1.H1")
    assert text.index("Answer key") > text.index("Step 4")
    for name in ("W1", "X", "b1", "px1", "e1", "X4"):  # the grids and their axis labels
        assert re.search(rf"\b{name}\b", text)
    assert "[W1 | b1][" in text  # a hint: which row and which column to combine


def test_a_sheet_of_one_step_says_one_step(ae_file, tmp_path):
    result = sheet(ae_file, "--steps", "4", "--blanks", "0.25", "-o", tmp_path / "one.pdf")
    assert result.exit_code == 0, result.output
    assert ": 1 step, 3 blanks, seed 0" in result.output, result.output  # H1 is 3×4: a quarter is 3


def test_the_seed_chooses_the_blanks(ae, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    a, b, c = (plan_sheet(ae, "0..9", 0.3, seed) for seed in (1, 1, 2))
    cells = [[(x.tensor, x.index) for e in p.exercises for x in e.blanks] for p in (a, b, c)]
    assert cells[0] == cells[1] and cells[0] != cells[2]
    for ex in a.exercises:  # 30% of each step's cells, rounded
        size = sum(ae.tensors[t].size for t in ex.results)
        assert len(ex.blanks) == max(1, int(np.floor(0.3 * size + 0.5)))
    assert sheet_pdf(a) == sheet_pdf(b)  # the same seed, the same file byte for byte


def test_no_blanks_and_all_blanks(ae):
    none = plan_sheet(ae, "0..4", 0.0, 0)
    assert [x for e in none.exercises for x in e.blanks] == []
    full = plan_sheet(ae, "0..4", 1.0, 0)
    assert sum(len(e.blanks) for e in full.exercises) == 12 + 12  # Z1 and H1, 3×4 each


@needs_poppler
def test_answer_key_numbers_are_the_traces_by_the_rounding_rule(ae, tmp_path):
    plan = plan_sheet(ae, "0..9", 0.4, 11)
    out = tmp_path / "s.pdf"
    out.write_bytes(sheet_pdf(plan))
    key = pdf_text(out).split("Answer key", 1)[1]
    W1, X, b1 = (ae.tensors[t].data for t in ae.steps[0].inputs)
    Z1 = W1 @ X + b1[:, None]  # by hand, outside the engine
    seen = 0
    for ex in plan.exercises:
        for b in ex.blanks:
            value = ae.tensors[b.tensor].data[b.index]
            printed = fmt(value, number_format(ae.tensors[b.tensor].data), "−")
            assert b.answer.text == printed and b.answer.lines[-1].endswith(printed)
            name = ae.tensors[b.tensor].name
            cell = re.escape(f"{name}[{', '.join(map(str, b.index))}]")
            assert re.search(rf"\b{b.label}\s+{cell} = {re.escape(printed)}", key), (b.label, name, printed)
            earlier: list[str] = []
            for line in b.answer.lines:  # every printed line adds up, redone from its printed numbers
                problems, results = check_line(line, earlier)
                assert not problems, problems
                earlier += results
                assert line in key.replace("\n", " ") or line.split(" = ")[0] in key
            if name == "Z1":
                assert float(printed.replace("−", "-")) == Z1[b.index]
                seen += 1
    assert seen >= 1


@needs_poppler
def test_zh_hant_sheet_holds_its_chinese_as_text(ae_file, tmp_path):
    out = tmp_path / "zh.pdf"
    assert sheet(ae_file, "--steps", "0..4", "--lang", "zh-Hant", "-o", out).exit_code == 0
    text = pdf_text(out)
    for words in ("練習單", "解答", "第 0 步", "線性層", "自編碼器", "姓名"):
        assert words in text, words
    fonts = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True, check=True).stdout
    assert "NotoSansCJKTC" in fonts and "DejaVuSans" in fonts  # embedded subsets, not names to look up


@pytest.mark.parametrize("args, message", [
    (["--steps", "9..3"], "runs backwards"),
    (["--steps", "0..nope"], "no step named 'nope'"),
    (["--steps", "9999"], "no step 9999"),
    (["--blanks", "1.5"], "--blanks 1.5"),
    (["--blanks", "-0.1"], "between 0 and 1"),
    (["--blanks", "nan"], "between 0 and 1"),
    (["--lang", "fr"], "'fr' is not one of"),
])
def test_mistakes_are_one_line_and_clobber_nothing(ae_file, tmp_path, args, message):
    out = tmp_path / "kept.pdf"
    out.write_bytes(b"an earlier sheet")
    result = sheet(ae_file, *args, "-o", out)
    assert result.exit_code == 2, result.output
    assert message in result.output and len(result.output.strip().splitlines()) == 1, result.output
    assert out.read_bytes() == b"an earlier sheet"
    assert [p.name for p in tmp_path.iterdir()] == ["kept.pdf"]


def test_refuses_to_write_over_the_trace(ae_file):
    result = sheet(ae_file, "-o", ae_file)
    assert result.exit_code == 2 and "refusing to overwrite" in result.output


def test_steps_too_large_are_left_out_or_refused():
    with tracer.record() as trace:
        big = tracer.tensor(np.ones((12, 12)), name="big")
        tracer.relu(big, name="H")
        tracer.relu(tracer.tensor([[1.0, -1.0]], name="x"), name="small")
    plan = plan_sheet(trace, "0..1", 0.5, 0)
    assert [e.step.name for e in plan.exercises] == ["small"] and [s.name for s in plan.left_out] == ["H"]
    with pytest.raises(tracer.TracerError, match="no step is small enough to work by hand"):
        plan_sheet(trace, "0", 0.5, 0)


def test_hostile_names_are_text_not_markup(tmp_path):
    with tracer.record() as trace:
        x = tracer.tensor([[1.0, -2.0]], name="x</b>\x1b[31m")
        tracer.relu(x, name="<script>alert(1)</script>")
    data = sheet_pdf(plan_sheet(trace, None, 1.0, 0))
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")


def test_lecture_modules_import_no_renderer_and_no_pdf_library():
    code = ("import sys, tracer.lecture, tracer.lecture.stills, tracer.lecture.notebook, tracer.lecture.cli; "
            "print([m in sys.modules for m in ('manim', 'scenes', 'fpdf', 'IPython')])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[False, False, False, False]"


def test_listed_in_tracer_help():
    result = CliRunner().invoke(main, ["--help"])
    assert "sheet" in result.output and "exercise sheet" in result.output


def test_a_composite_too_large_gives_way_to_its_parts_that_fit():
    """next_token's first chapter holds no step small enough at the top (16-wide embeddings), but
    its attention's 3×3 scores fit: the default sheet works those instead of refusing."""
    from tracer.examples import run_example

    trace = run_example("next_token")
    plan = plan_sheet(trace, None, 0.3, 0)
    names = [e.step.name for e in plan.exercises]
    assert any(n.endswith("head1.weights") for n in names), names
    assert all(e.step.parent is not None or e.step.op != "attention" for e in plan.exercises)
    assert all(max(trace.tensors[t].shape, default=1) <= 8 for e in plan.exercises for t in e.step.inputs)


@needs_poppler
def test_the_workings_font_sets_x_hat_over_its_x(tmp_path):
    """The PDF is written glyph after glyph, unshaped: a combining hat stands where its font puts it.
    The workings' font draws it with no advance, over the x before it (DejaVu Sans Mono gave it a
    cell of its own: ``x ^``)."""
    from fontTools.ttLib import TTFont
    from tracer.lecture.fonts import font_files
    mono = TTFont(font_files()["mono"])
    hat = mono.getBestCmap()[0x302]
    assert mono["hmtx"][hat][0] == 0 and mono["hmtx"][hat][1] < 0   # no advance, drawn to the left
    path, out = tmp_path / "tb.trace", tmp_path / "ln.pdf"
    assert CliRunner().invoke(main, ["run", "transformer_block", "-o", str(path)]).exit_code == 0
    assert sheet(path, "--steps", "blocks.0.ln1", "-o", out).exit_code == 0
    assert "γ·x̂ + β = " in pdf_text(out)
    fonts = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True, check=True).stdout
    assert "JetBrainsMono" in fonts, fonts
