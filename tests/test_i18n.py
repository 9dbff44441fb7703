"""Narration in the four languages: every op translated, with the same placeholders."""
from __future__ import annotations

import re
import string

import pytest

import tracer
from tracer.i18n import LANGUAGES, NARRATION, narrate, phrase


def fields(template: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(template) if f}


@pytest.mark.parametrize("op", sorted(tracer.OPS))
def test_every_op_speaks_every_language_with_the_same_placeholders(op: str) -> None:
    assert set(NARRATION[op]) == set(LANGUAGES[1:])
    for lang, template in NARRATION[op].items():
        assert fields(template) == fields(tracer.OPS[op].narration), (op, lang)


def test_narrate_fills_names_in_each_language() -> None:
    with tracer.record() as trace:
        W = tracer.param([[1.0, 2.0]], name="W1")
        H = tracer.relu(W @ tracer.tensor([[1.0], [-1.0]], name="X"), name="H")
        (H * H).sum().backward()
    relu = trace.step("H")
    assert narrate(trace, relu, "zh-Hant") == "ReLU 保留 matmul 中的正數，把負數變成 0。"
    assert narrate(trace, relu, "zh-Hans") == "ReLU 保留 matmul 中的正数，把负数变成 0。"
    assert narrate(trace, relu, "vi").startswith("ReLU giữ các phần tử dương của matmul")
    mm = trace.step("matmul")
    assert "W1" in narrate(trace, mm, "vi") and "X" in narrate(trace, mm, "zh-Hant")
    grad = trace.step("H.grad")
    assert narrate(trace, grad, "zh-Hans").startswith("把梯度反向传过 H：")  # the step, not the English op name
    acc = next(s for s in trace.phase("backward") if s.op == "accumulate")
    assert narrate(trace, acc, "vi").startswith("H được dùng bởi nhiều phép toán: cộng các gradient truyền ngược từ mỗi phép toán. Ở đây cộng: dH′ (qua ")


def test_the_cli_offers_every_language_and_no_other() -> None:
    from tracer.cli_options import LANGUAGES as OFFERED  # a copy: --help does not import tracer.i18n

    assert OFFERED == LANGUAGES


def test_unknown_language_is_a_clear_error() -> None:
    with pytest.raises(tracer.TracerError, match="unknown language 'fr': choose one of en, zh-Hant, zh-Hans, vi"):
        phrase("forward", "fr")
    assert phrase("backward", "zh-Hant") == "反向傳播"


LOANWORDS = {"gradient", "epoch"}  # Vietnamese says these as English does
CJK_NEXT_TO_ASCII_PUNCTUATION = re.compile(r"[\u4e00-\u9fff][,:;()]|[,:;(][\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def example_traces() -> dict[str, tracer.Trace]:
    from tracer.examples import list_examples, run_example
    return {name: run_example(name) for name, _ in list_examples() if name != "autoencoder_large"}


def test_no_english_narration_in_the_other_languages(example_traces) -> None:
    """Every step of every example (accumulate and concat included) in zh-Hant, zh-Hans and vi:
    never the English sentence, and Chinese punctuation full-width next to Chinese text."""
    seen = set()
    for name, trace in example_traces.items():
        for step in trace.steps:
            english = narrate(trace, step, "en")
            for lang in LANGUAGES[1:]:
                text = narrate(trace, step, lang)
                assert text != english and "None" not in text, (name, step.name, lang, text)
                if lang.startswith("zh"):
                    assert not CJK_NEXT_TO_ASCII_PUNCTUATION.search(text), (name, step.name, lang, text)
            seen.add(step.op)
    assert {"accumulate", "concat", "gather", "sgd"} <= seen


def test_no_english_heading_in_the_other_languages(example_traces) -> None:
    from tracer.i18n_phrases import PHRASES
    from tracer.stepview import step_table, step_view
    from tracer.textview import plain

    for key, entry in PHRASES.items():
        assert set(entry) == set(LANGUAGES), key
        for lang in LANGUAGES[1:]:
            loanwords_only = {w.lower() for w in re.findall(r"[A-Za-z]+", re.sub(r"\{\w+\}", "", entry[lang]))} <= LOANWORDS
            assert entry[lang] != entry["en"] or (lang == "vi" and loanwords_only), (key, lang)
            if lang.startswith("zh"):
                assert not CJK_NEXT_TO_ASCII_PUNCTUATION.search(entry[lang]), (key, lang)
    trace = example_traces["autoencoder"]
    english = ("inputs", "outputs", "cell", "source", "gradient of", "made of", "step ", "activation", "param")
    for lang in LANGUAGES[1:]:
        for sid in (0, 29):
            text = plain(step_view(trace, trace.steps[sid], color=False, lang=lang))
            head = "\n".join(line for line in text.splitlines() if not line.startswith("  "))  # not the grids' rows
            assert not [w for w in english if w in head.lower()], (lang, sid, head)
        table = plain(step_table(trace, trace.steps[:3], lang=lang)).splitlines()[0]
        assert "phase" not in table and "outputs" not in table, (lang, table)


@pytest.mark.parametrize("given, canonical", [("ZH-HANT", "zh-Hant"), ("zh-hans", "zh-Hans"), ("VI", "vi"), ("En", "en")])
def test_a_language_is_named_in_any_case(given: str, canonical: str) -> None:
    from tracer.i18n import check_language
    assert check_language(given) == canonical


def test_narrations_say_what_the_step_did() -> None:
    """Fixes: a stacked concat is not 'side by side', a pick is no 'embedding lookup', a threshold
    reads as a short number, a sum names its axis (and a sum of everything none)."""
    with tracer.record() as trace:
        a, b = tracer.tensor([[1.0, 2.0]], name="a"), tracer.tensor([[3.0, 4.0]], name="b")
        tracer.concat([a, b], axis=0, name="stacked")
        tracer.gather(tracer.tensor([[0.1, 0.9]], name="probs"), [1], axis=1, name="pick")
        tracer.step(a, threshold=0.12345404968947128, name="flags")
        tracer.sum(a, axis=0, name="cols")
        tracer.sum(a, name="total")
    assert narrate(trace, trace.step("stacked")) == "Join a, b into one tensor, one under the other."
    assert narrate(trace, trace.step("stacked"), "zh-Hant") == "把 a, b 上下接成一個張量。"
    assert "embedding" not in narrate(trace, trace.step("pick")) and "嵌入" not in narrate(trace, trace.step("pick"), "zh-Hant")
    assert narrate(trace, trace.step("flags")) == "Fire (1) where a is above the threshold 0.1235, otherwise stay at 0."
    assert trace.step("cols").formula == "cols = Σ₀ a" and trace.step("total").formula == "total = Σ a"
    assert narrate(trace, trace.step("cols"), "zh-Hans") == "把 a 的元素求和（沿每一列）。"   # 简体: a column is 列
    assert narrate(trace, trace.step("total"), "vi") == "Cộng các phần tử của a."


def test_a_row_softmax_says_along_each_row_in_every_language():
    """Not "along axis -1": the learner is told which way the probabilities run, in the words of
    each language (繁體 calls a row 列 and a column 行, 简体 the other way round), and the names
    along the axis when it has a few."""
    with tracer.record() as trace:
        S = tracer.tensor([[1.0, 2.0, 3.0], [0.0, 0.0, 1.0]], name="S")
        tracer.softmax(S, axis=-1, name="P")
        tracer.softmax(S, axis=0, name="Q")
        tracer.softmax(tracer.tensor([[1.0, 2.0, 3.0]], name="W", cols=["the", "king", "sat"]), name="R")
    row, column = trace.step("P"), trace.step("Q")
    assert narrate(trace, row) == "Softmax turns the scores in S into probabilities along each row: exponentiate, add up, divide."
    assert narrate(trace, column).startswith("Softmax turns the scores in S into probabilities down each column:")
    assert narrate(trace, row, "zh-Hant").startswith("softmax 沿每一列，把分數 S 變成機率")
    assert narrate(trace, column, "zh-Hant").startswith("softmax 沿每一行，把分數 S 變成機率")
    assert narrate(trace, row, "zh-Hans").startswith("softmax 沿每一行，把分数 S 变成概率")
    assert narrate(trace, row, "vi").startswith("Softmax biến các điểm số S thành xác suất theo từng hàng:")
    assert "along each row (over the, king, sat)" in narrate(trace, trace.step("R"))
    assert "沿每一列，跨 the、king、sat，把分數" in narrate(trace, trace.step("R"), "zh-Hant")
    assert not any("axis" in narrate(trace, s) or "軸" in narrate(trace, s, "zh-Hant") for s in (row, column))
