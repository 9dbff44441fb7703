"""Names and powers written once for every viewer (issue 9): a transposed ``Xᵀ`` reads ``X``, never
``Xᵀᵀ``; a power reads as a superscript in plain text."""
from __future__ import annotations

import pytest

import tracer
from tracer.i18n import LANGUAGES, formula
from tracer.notation import superscripted, transposed

from .example_runs import run


def test_a_transposed_name_transposed_again_loses_its_mark():
    assert transposed("W") == "Wᵀ" and transposed(transposed("W")) == "W"
    assert transposed("Kᵀ", gradient=True) == "(dKᵀ)ᵀ"   # not dK: that is another tensor's gradient


def test_the_gradient_of_a_product_with_a_transposed_operand_never_writes_a_double_transpose():
    with tracer.record() as trace:
        q = tracer.param([[1.0, 2.0]], name="Q")
        k = tracer.param([[1.0, 0.0], [0.0, 1.0]], name="K")
        kt = tracer.transpose(k, name="K_T").named("Kᵀ")
        tracer.sum(tracer.matmul(q, kt, name="scores"), name="s").backward()
    # d(scores)/dQ = dscores·(Kᵀ)ᵀ = dscores·K; the transpose's gradient is (dKᵀ)ᵀ, bracketed
    assert trace.step("scores.grad").formula == "dQ = dscores · K;  dKᵀ = Qᵀ · dscores"
    assert trace.step("K_T.grad").formula == "dK = (dKᵀ)ᵀ"


@pytest.mark.parametrize("name", ["multi_head_attention", "transformer_block"])
def test_no_formula_of_the_attention_examples_has_a_double_transpose(name):
    trace = run(name)
    doubled = [(s.id, lang, text) for s in trace.steps for lang in LANGUAGES
               for text in (formula(trace, s, lang), s.narration) if "ᵀᵀ" in text]
    assert not doubled, doubled[:3]
    # the keys a head's scores read are named as the transpose of its key rows: true both ways
    scores_grad = next(s for s in trace.steps if s.name.endswith("head2.scores.grad"))
    assert scores_grad.formula == "dQ₂_rows = dscores₂ · K₂_rows;  dK₂_rowsᵀ = Q₂_rowsᵀ · dscores₂"


def test_powers_become_superscripts_only_where_every_character_has_one():
    assert superscripted("PE = sin(t / 10000^(2i/d))") == "PE = sin(t / 10000²ⁱᐟᵈ)"
    assert superscripted("e^(−x) and 2^n") == "e⁻ˣ and 2ⁿ"
    assert superscripted("x^(a·b)") == "x^(a·b)"        # · has no superscript: the caret stays
    assert superscripted("no power here: 3 ^ 2") == "no power here: 3 ^ 2"


def test_the_terminal_shows_positional_encodings_power_as_a_superscript(tmp_path):
    from click.testing import CliRunner

    from tracer.cli import main
    from tracer.io import save

    trace = run("positional_encoding")
    save(trace, tmp_path / "pe.trace")
    out = CliRunner().invoke(main, ["show", str(tmp_path / "pe.trace"), "--step", str(trace.step("pos.rates").id)]).output
    assert "  rates = 10000²ⁱᐟᵈ\n" in out and "rates[0, 0] = 10000²ⁱᐟᵈ\n" in out
    assert "10000^0.00 = 1" in out   # a power with a point keeps its caret: ⁰·⁰⁰ would not read
    assert trace.step("pos.rates").formula == "rates = 10000^(2i/d)"   # the trace keeps its text (--json too)


def test_subtitles_write_the_storys_powers_and_signs_as_the_video_draws_them():
    from tracer.lecture.subtitles import cues_of, srt
    from tracer.story import Story

    story = Story.from_meta(run("positional_encoding").meta)
    titles = [c.title["en"] for c in story.chapters if "^" in c.title["en"]]
    assert titles                                    # "The frequencies: base^(2i/d)"
    text = srt(cues_of([(float(k), t) for k, t in enumerate(titles + ["along axis -1"])], end=9.0))
    assert "base²ⁱᐟᵈ" in text and "^" not in text and "axis −1" in text


def test_a_transposed_operand_named_after_its_transpose_reads_as_one():
    trace = run("transformer_block")
    step = next(s for s in trace.steps if s.op == "transpose" and s.formula.startswith("K₂_rowsᵀ"))
    # not Kᵀ = Kᵀ, which says nothing: the captions, the stepper and every language bracket the name
    for lang in LANGUAGES:
        assert formula(trace, step, lang).endswith("K₂_rowsᵀ = (K₂_rows)ᵀ"), lang
    assert not [s.formula for s in trace.steps if s.op == "transpose"
                and s.formula.split(" = ")[0] == s.formula.split(" = ")[-1]]
