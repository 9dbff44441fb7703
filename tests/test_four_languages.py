"""Four languages, whole: what ``tracer show`` prints (the text view and ``--json``) for every step
of every built-in example, in 繁體中文, 简体中文 and Tiếng Việt, holds no English word.

A word is English when it is written in ASCII letters and is none of: an identifier of the trace
(a step name's parts, a tensor name, ``d`` + a tensor name, an axis label, a string attribute),
a single letter (a symbol: x, n, e, d_k), a function in notation (``max(``, ``softmax(``, ``ln``),
a name that is the same in every language (ReLU, Adam, softmax) or, in Vietnamese, a Vietnamese
word written without diacritics (``ra``, ``theo``) or a loanword Vietnamese uses (gradient, tensor).
The source line is Python code and is not read. Chinese punctuation next to Chinese text is
full-width.
"""
from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

import tracer
from tracer.cli import main
from tracer.examples import list_examples, run_example
from tracer.i18n import LANGUAGES, NARRATION, phrase
from tracer.i18n_formulas import FORMULAS, GRADS
from tracer.stepview import default_cell, step_json, step_view
from tracer.textview import FULL_SCAN, plain

OTHER = LANGUAGES[1:]
WORD = re.compile(r"[^\W\d_]+")
# notation: a function name, read where it is applied (``max(``, ``Σ₀``, ``ln x``, ``backward()``)
FUNCTIONS = {"max", "min", "mean", "ln", "log", "exp", "softmax", "log_softmax", "sign", "erf", "tanh", "sin",
             "cos", "sigmoid", "clip", "reshape", "einsum", "var", "std", "repeat", "tile", "stack", "split", "pad",
             "backward", "zero_grad", "relu", "GELU", "sqrt", "abs"}
APPLIED = re.compile(r"\b(" + "|".join(sorted(FUNCTIONS, key=len, reverse=True)) + r")(?=[(_′₀-₉₋]|\s+[^\W\d_])")
# the same in every language: names of functions, optimisers and layers, and the NaN / Inf of IEEE floats
NAMES = {"relu", "gelu", "prelu", "leaky", "swish", "softplus", "adam", "rmsprop", "sgd", "dropout", "softmax",
         "sigmoid", "tanh", "einsum", "nan", "inf", "gpt", "ln", "max", "min", "log"}
# Vietnamese words that need no diacritics, and the loanwords Vietnamese writes as English does
VIETNAMESE = {"ra", "tham", "qua", "ma", "theo", "trung", "trong", "cho", "chia", "hai", "sai", "thu", "tay",
              "truy", "quy", "khi", "nhau", "thang", "suy", "gradient", "tensor", "token", "radian", "logarit", "entropy",
              "epoch", "hay", "la", "no", "con", "cao", "sao", "so", "ban", "lan", "van", "tin", "hoa", "khung",
              "luyen", "tim", "xem", "phan", "chon", "nhan", "hang", "cong", "tru", "bang", "ba", "mot", "trang",
              "thanh", "sang", "hoang", "ngang", "ong", "khoa", "dang", "vi", "phi"}
CJK_NEXT_TO_ASCII_PUNCTUATION = re.compile(r"[\u3400-\u9fff][,:;()]|[,:;(][\u3400-\u9fff]")


def identifiers(trace: tracer.Trace) -> set[str]:
    """The words a trace names things with: they read the same in every language."""
    names: set[str] = set()
    for s in trace.steps:
        names |= set(WORD.findall(s.name))
        names |= {w for v in s.attrs.values() if isinstance(v, str) for w in WORD.findall(v)}
    for rec in trace.tensors.values():
        words = set(WORD.findall(rec.name))
        names |= words | {"d" + w for w in words}
        for axis in rec.labels or ():
            names |= {w for label in axis or () for w in WORD.findall(str(label))}
    return names


def english(text: str, lang: str, allowed: set[str]) -> list[str]:
    """The English words of ``text`` (see the module docstring)."""
    text = APPLIED.sub(" ", text)
    return [w for w in WORD.findall(text)
            if w.isascii() and len(w) > 1 and w not in allowed and w.lower() not in NAMES
            and not (lang == "vi" and w.lower() in VIETNAMESE)]


def shown(trace: tracer.Trace, step: tracer.Step, lang: str, keep: int = 3) -> str:
    """What ``tracer show --step`` prints, less the source line (Python code) and the op's name in
    the step's first line (an identifier: the op column of the step table). ``keep=1`` shows fewer
    cells of each grid (numbers and axis labels only) and the same words."""
    source = phrase("h_source", lang)
    lines = plain(step_view(trace, step, color=False, lang=lang, keep=keep)).splitlines()
    lines[0] = lines[0].replace(f"  {step.op}  ", "  ")
    return "\n".join(line for line in lines if not line.strip().startswith(source))


def json_words(data: dict) -> str:
    """The words in a step's JSON that a reader reads (not its keys, ids or values)."""
    working = data.get("working") or {}
    return "\n".join([data["narration"], data["formula"], working.get("formula", "")] + working.get("lines", []))


def worked(trace: tracer.Trace, step: tracer.Step) -> tuple[int, ...] | None:
    """The cell ``show --json --step`` explains, for a step small enough to work by hand."""
    size = sum(trace.tensors[t].size for t in list(step.inputs) + list(step.outputs))
    return default_cell(trace, step) if size <= FULL_SCAN else None


def problems_in(text: str, lang: str, allowed: set[str]) -> list[str]:
    found = [f"English {w!r}" for w in dict.fromkeys(english(text, lang, allowed))]
    if lang.startswith("zh"):
        found += [f"half-width punctuation at {m.group()!r}" for m in CJK_NEXT_TO_ASCII_PUNCTUATION.finditer(text)]
    return found


@pytest.fixture(scope="module")
def traces() -> dict[str, tracer.Trace]:
    return {name: run_example(name) for name, _ in list_examples()}


@pytest.mark.slow  # every step of every example in three languages: about a minute and a half
def test_show_and_its_json_hold_no_english_in_the_other_languages(traces) -> None:
    problems, steps = [], 0
    for name, trace in traces.items():
        allowed = identifiers(trace)
        for step in trace.steps:
            steps += 1
            for lang in OTHER:
                for kind, text in (("show", shown(trace, step, lang, keep=1)),
                                   ("json", json_words(step_json(trace, step, lang=lang, cell=worked(trace, step))))):
                    problems += [f"{name} step {step.id} {step.name} ({lang}, {kind}): {p}"
                                 for p in problems_in(text, lang, allowed)]
    assert steps > 7000
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:40])


def test_the_scanner_finds_english() -> None:
    """The check itself can fail: English prose, a bare function word, a half-width colon."""
    allowed = {"dW", "dX"}  # as identifiers() reads W1 and X: words without their digits, and d + them
    assert english("把梯度反向傳過 sum：dX = dW1 copied to every entry", "zh-Hant", allowed) == [
        "sum", "copied", "to", "every", "entry"]
    assert english("dX = max(0, W1) + mean_0 X，ReLU 與 Adam", "zh-Hans", allowed) == []
    assert english("Cộng các phần tử theo trục: the sum", "vi", allowed) == ["the", "sum"]
    assert problems_in("把 X 加總: 完成", "zh-Hans", allowed) == ["half-width punctuation at '總:'"]


def sample_steps(trace: tracer.Trace) -> list[tracer.Step]:
    """The first step of each phase, and the first step of each op with words in its formula."""
    picks: dict[str, tracer.Step] = {}
    for s in trace.steps:
        picks.setdefault(s.phase, s)
        if s.op in FORMULAS or s.op in GRADS:
            picks.setdefault(f"{s.phase}:{s.op}", s)
    return list(picks.values())


@pytest.mark.slow  # the whole CLI over four examples in three languages
@pytest.mark.parametrize("name", ["mlp_backprop", "exploding_gradients", "positional_encoding", "transformer_block"])
def test_the_command_prints_what_was_scanned(traces, tmp_path, name: str) -> None:
    """``tracer show --step S --lang L`` (any case) and ``--json`` print the scanned views."""
    trace = traces[name]
    path = tmp_path / f"{name}.trace"
    trace.save(path)
    saved = tracer.load(path)
    allowed = identifiers(saved)
    runner = CliRunner()
    for step in sample_steps(saved):
        for lang in OTHER:
            given = lang.upper() if step.id % 2 else lang.lower()
            text = runner.invoke(main, ["show", str(path), "--step", str(step.id), "--lang", given, "--no-color"])
            assert text.exit_code == 0, text.output
            assert text.output.rstrip("\n") == plain(step_view(saved, step, color=False, lang=lang))
            assert not problems_in(shown(saved, step, lang), lang, allowed)
            js = runner.invoke(main, ["show", str(path), "--step", str(step.id), "--lang", given, "--json"])
            data = json.loads(js.output)
            assert data["lang"] == lang and data["narration"] != saved.steps[step.id].narration
            assert not problems_in(json_words(data), lang, allowed), (step.name, lang, json_words(data))


def test_formula_translations_keep_the_placeholders() -> None:
    import string

    def fields(template: str) -> set[str]:
        return {f for _, f, _, _ in string.Formatter().parse(template) if f}
    for table, attr in ((FORMULAS, "formula"), (GRADS, "grad")):
        for op, texts in table.items():
            assert len(texts) == len(OTHER)
            english_template = getattr(tracer.OPS[op], attr)
            for lang, text in zip(OTHER, texts):
                assert fields(text) == fields(english_template), (op, lang)
                assert text.count("⟦") == english_template.count("⟦"), (op, lang)
                if lang.startswith("zh"):
                    assert not CJK_NEXT_TO_ASCII_PUNCTUATION.search(text), (op, lang)
    assert set(NARRATION) >= set(FORMULAS) | set(GRADS)


def story_texts(trace: tracer.Trace) -> list[dict[str, str]]:
    """Every text of the story a trace carries (chapter titles, recap, plot marks), per language."""
    found: list[dict[str, str]] = []

    def walk(node: object) -> None:
        if isinstance(node, dict) and set(LANGUAGES) <= set(node) and all(isinstance(v, str) for v in node.values()):
            found.append(node)  # type: ignore[arg-type]
        elif isinstance(node, dict):
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
    walk(trace.meta["story"])
    return found


@pytest.mark.parametrize("name, english, translated", [
    ("exploding_gradients", ("clip by norm", "clip by value", "He init"), "SGD + 按範數裁剪"),
    ("vanishing_gradients", ("residual", "batch norm"), "sigmoid + 批次正規化"),
])
def test_the_remedies_name_their_networks_in_each_language(traces, name, english, translated) -> None:
    """The networks compared are named by their labels in the chapter titles, the marks and the
    recap: in the reader's language (``labels:`` in the example), never the English label."""
    texts = story_texts(traces[name])
    assert len(texts) > 10
    for text in texts:
        for lang in OTHER:
            assert not [w for w in english if w in text[lang]], (lang, text[lang])
    assert any(translated in t["zh-Hant"] for t in texts)
    assert any(w in t["en"] for t in texts for w in english)   # English keeps its own words


def test_a_label_in_an_unknown_language_is_a_clear_error(tmp_path) -> None:
    from tracer.examples import resolve
    source = resolve("exploding_gradients").read_text(encoding="utf-8").replace("labels: {zh-Hant:", "labels: {fr:", 1)
    path = tmp_path / "mine.yaml"
    path.write_text(source, encoding="utf-8")
    with pytest.raises(tracer.TracerError, match=r"variants\[1\]\.labels: 'fr': expected zh-Hant, zh-Hans or vi"):
        run_example(str(path))
