"""The one line breaker (tracer/line_breaks.py ``breaks``, ``break_at`` and ``filled``): its
rules pinned for everything it breaks, a card's prose, a caption's two lines of narration, a
working on the caption band or beside the attention map, and a subtitle cue's lines. A number is never split, no line starts with a closing mark nor ends with an opening
one (禁則), a working is cut only between its terms, between two workings run together (``;  ``)
before anything else; ``split_at`` and ``wrap_at`` are that one breaker's answers."""
from __future__ import annotations

import re

import pytest

pytest.importorskip("manim")

from scenes.attention_map import wrap  # noqa: E402
from scenes.caption import split_at, wrap_at  # noqa: E402
from tracer.lecture.subtitles import CJK_COLUMNS, COLUMNS, cues_of, wrapped  # noqa: E402
from tracer.line_breaks import NO_END as _OPENING, NO_START as _CLOSING, break_at, breaks, filled, pieces  # noqa: E402
from tracer.textview import width_of  # noqa: E402

# workings as the caption band shows them (self_attention's softmax gradient, a layer norm's
# cell, exploding_gradients' mean of squares with an elided stretch, a matmul's cell)
SOFTMAX_GRADIENT = ("Σ = 0.24×0.11 + 0.20×0.11 − 0.24×0.79 − 0.23×0.00 = −0.14;  "
                    "weights×(dweights − Σ) = 0.11×(0.24 − (−0.14)) = 0.04")
LAYER_NORM = "x − μ = 2.004 − 3.039 = −1.04;  (x − μ) / σ = −1.04 / 0.77 = −1.35;  γ·x̂ + β = −1.35×1 + 0 = −1.35"
SQUARES = "((−4.08 − (−0.84))² + (−13.31 − (−0.51))² + [9 terms: 32907.41] + (−2.20 − 0.53)²) / 16 = 2148.10"
MATMUL = "2.4116×(−2.4323) − 1.8657×0.1826 − 2.1430×2.0630 + 1.8657×(−0.0630) = −10.74"
WORKINGS = [SOFTMAX_GRADIENT, LAYER_NORM, SQUARES, MATMUL]

PROSE = [
    ("zh-Hant", "梯度是 1.63e−04，很小。詞「吃」與「蘋果」的分數 2×3 = 6，最大；其餘（很少）都接近 0。"),
    ("zh-Hant", "注意力：Q₁_rows 中的每個查詢為 K₁_rows 中的每個鍵打分數，分數除以 √d_k，經 softmax 變成權重。"),
    ("zh-Hans", "把梯度反向传过 matmul：dW_y = dmatmul · h₃ᵀ;  dh₃ = W_yᵀ · dmatmul，m ← β₁·m + (1−β₁)·dW1²"),
    ("en", "The gradient is 1.63e−04 at x3, the next word (p = 0.9995) → a, and −0.38 = 0.27×2 − 0.46×2."),
    ("vi", "Gradient ngược qua softmax: dscaled = weights ⊙ (dweights − Σ) là −0.14, rất nhỏ."),
]

# a number (−0.38, 1.63e−04, 2148.10, 2×3) or a symbol with its marks (h₃ᵀ, β₁, 1−β₁, √d_k)
WHOLE = re.compile(r"[−-]?\d+(?:\.\d+)?(?:e[−-]\d+)?(?:×\d+)?|√?[A-Za-zα-ωΣ]\w*[₀-₉ᵀ²]+|1−β[₁₂]|√d_k")


def inside_a_number(text: str, at: int) -> bool:
    return any(m.start() < at < m.end() for m in WHOLE.finditer(text))


@pytest.mark.parametrize("lang, text", PROSE + [("en", w) for w in WORKINGS])
@pytest.mark.parametrize("working", [False, True])
def test_no_line_break_splits_a_number_or_a_symbol(lang, text, working):
    places = [at for at, _ in breaks(text, lang, working)]
    assert places or working, text   # prose with no terms has no place a working may break
    assert not [text[at - 6:at] + "|" + text[at:at + 6] for at in places if inside_a_number(text, at)]
    if not working and lang in ("en", "vi"):   # prose keeps an equation whole, an arrow with what it points from
        assert not [text[:at] for at in places if text[at:at + 3] in (" = ", " → ") or text[at - 1] == "="]


@pytest.mark.parametrize("lang, text", [p for p in PROSE if p[0].startswith("zh")])
def test_chinese_prose_breaks_by_kinsoku(lang, text):
    """禁則: a place to break is never before a closing mark (，。」）) nor after an opening one (「（)."""
    for at, _ in breaks(text, lang):
        first, rest = text[:at].rstrip(), text[at:].lstrip()
        assert rest[0] not in _CLOSING and first[-1] not in _OPENING, (first, rest)
    for k in range(1, len(text)):   # and so is the place a caption's narration is cut at
        first, rest = split_at(text, k, lang)
        assert rest and rest[0] not in _CLOSING and first[-1] not in _OPENING, (k, first, rest)


@pytest.mark.parametrize("text", WORKINGS)
def test_a_working_breaks_only_between_its_terms_or_its_workings(text):
    """Every place a working may break opens `` + ``, `` − `` or `` = `` on the next line, or
    falls between two workings (``;  ``); none inside an elided stretch ``[9 terms: …]``."""
    for at, _ in breaks(text, working=True):
        nxt = text[at:at + 3]
        assert nxt in (" + ", " − ", " = ") or text[at - 2:at + 1] == ";  ", (text[:at], text[at:])
        assert text[:at].count("[") == text[:at].count("]")
    assert breaks("[94 terms: 1 + 2]", working=True) == [] and break_at("12.25", working=True) is None


def test_a_working_is_cut_between_two_workings_first():
    """With ``;  `` in it, a working is cut there even when a cut between terms would fill its
    first line better (``Σ = … = −0.14;`` / ``weights×(…) = 0.04``, not inside ``Σ = …``)."""
    at = break_at(SOFTMAX_GRADIENT, working=True)
    assert SOFTMAX_GRADIENT[:at].rstrip() == "Σ = 0.24×0.11 + 0.20×0.11 − 0.24×0.79 − 0.23×0.00 = −0.14;"
    # a first line that may be long takes the last working that fits, never a term past it
    at = break_at(LAYER_NORM, working=True, fits=lambda first: len(first) < 90)
    assert LAYER_NORM[:at].endswith("(x − μ) / σ = −1.04 / 0.77 = −1.35; ")
    at = break_at(LAYER_NORM, working=True, fits=lambda first: True)
    assert LAYER_NORM[at:].lstrip().startswith("γ·x̂ + β")


def test_a_working_without_workings_run_together_is_cut_between_its_least_bracketed_terms():
    at = break_at(SQUARES, working=True)
    assert SQUARES[at:at + 3] == " + " and SQUARES[:at].count("(") - SQUARES[:at].count(")") == 1
    at = break_at(SQUARES, working=True, fits=lambda first: len(first) < 35)   # not inside the second square
    assert SQUARES[:at] == "((−4.08 − (−0.84))²"
    at = break_at(MATMUL, working=True)   # between two products, never before the result
    assert MATMUL[at:at + 3] in (" + ", " − ") and "=" not in MATMUL[:at]
    assert break_at("a = 1 = 2", working=True) is not None   # before "=" when there is nothing else


@pytest.mark.parametrize("lang, text", PROSE)
def test_split_at_and_wrap_at_are_the_one_breakers_answers(lang, text):
    for k in range(2, len(text), 5):
        at = break_at(text, lang, near=k)
        assert split_at(text, k, lang) == (text[:at].rstrip(), text[at:].lstrip())
    assert "".join(pieces(text, lang)) == text
    for w in WORKINGS:
        assert wrap_at(w) == break_at(w, working=True)
        assert wrap_at(w, lambda first: len(first) < 50) == break_at(w, working=True, fits=lambda first: len(first) < 50)


# ---- subtitles and the attention map: the same rules, measured in columns and characters

def test_a_chinese_subtitle_line_breaks_by_kinsoku_and_keeps_its_numbers_whole():
    """A cue's lines of Chinese (20 characters at most) break where a card's do: never before
    ，。」 nor after 「, never inside 1.63e−04 or 2×3; as even as they go."""
    text = PROSE[0][1]
    lines = wrapped(text)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "") and len(lines) == 3
    assert all(width_of(line) <= CJK_COLUMNS for line in lines), lines
    assert not any(line[0] in _CLOSING or line[-1] in _OPENING for line in lines), lines
    assert any("1.63e−04" in line for line in lines) and any("2×3" in line for line in lines), lines
    assert max(map(width_of, lines)) - min(map(width_of, lines)) <= 8, lines   # not 40, 40 and 10
    ends = {len("".join(pieces(text, "zh-Hant")[:n]).rstrip()) for n in range(1, len(text))}
    at = 0
    for line in lines[:-1]:   # each line ends between two of the pieces a card breaks between
        at = text.index(line, at) + len(line)
        assert at in ends, line
    # a number with the sign that relates it (「蘋果」→「吃」, 0.94 變成 0.99) kept whole when a line allows
    assert wrapped("一步 SGD 把「蘋果」→「吃」的權重從 0.94 變成 0.99。") == ["一步 SGD 把「蘋果」→「吃」", "的權重從 0.94 變成 0.99。"]


@pytest.mark.parametrize("text", WORKINGS)
def test_a_long_working_in_a_subtitle_or_beside_the_map_is_cut_between_its_terms(text):
    """A working too long for a line is cut where the caption band cuts it (``filled``): between
    its workings first, then between its terms, never inside a number or ``[9 terms: …]``; a
    subtitle's lines of it stay within 42 columns and read back as the working."""
    places = {len(text[:at].rstrip()) for at, _ in breaks(text, working=True)}   # where a line may end
    for lines, width in ((filled(text, 30, len, working=True), 30), ([p.strip() for p in wrap(text, 32)], 30)):
        assert re.sub(r"\s+", " ", " ".join(lines)) == re.sub(r"\s+", " ", text) and all(len(line) <= width for line in lines), lines
        at = 0
        for line in lines[:-1]:
            at = text.index(line, at) + len(line)
            assert at in places, line
    if ";  " in text:   # cut at the workings run together when they fit a line each
        assert filled(text, 80, len, working=True)[0].endswith(";")
    cues = cues_of([(0.0, text)], end=10.0)
    lines = [line for c in cues for line in c.text.split("\n")]
    assert all(width_of(line) <= COLUMNS for line in lines), lines
    assert not [m.group() for m in WHOLE.finditer(text) if not any(m.group() in line for line in lines)]
