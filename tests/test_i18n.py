"""Narration in the four languages: every op translated, with the same placeholders."""
from __future__ import annotations

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
    assert narrate(trace, grad, "zh-Hans").startswith("把梯度反向传过 relu：")
    acc = next(s for s in trace.phase("backward") if s.op == "accumulate")
    assert narrate(trace, acc, "vi") == "H được dùng bởi nhiều phép toán: cộng các gradient truyền ngược từ mỗi phép toán."


def test_unknown_language_is_a_clear_error() -> None:
    with pytest.raises(tracer.TracerError, match="unknown language 'fr': choose one of en, zh-Hant, zh-Hans, vi"):
        phrase("forward", "fr")
    assert phrase("backward", "zh-Hant") == "反向傳播"
