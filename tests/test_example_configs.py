"""An example runs from its YAML file as from its name, with overrides; a bad configuration gives one
line naming the file, the line and the key (an override: the override)."""
from __future__ import annotations

from pathlib import Path

import pytest

import tracer
from tracer import examples
from tracer.examples import load_config, run_example

from .example_runs import out, run


# ---- configurations and overrides ---------------------------------------------------------------
def test_a_yaml_path_runs_like_its_name():
    path = examples.EXAMPLES_DIR / "normalization.yaml"
    assert run_example(str(path)).names() == run("normalization").names()


def test_overrides_set_scalars_and_matrix_entries():
    trace = run_example("perceptron", ["threshold=12", "weights.W.2=9"])
    # weather 8·1 + price 4·1 + company 9·0 = 12, not above 12: stay home
    assert out(trace, "decide.perceptron.S").tolist() == [[12.0]]
    assert out(trace, "decide.perceptron.Y_hat").tolist() == [[0.0]]
    assert trace.meta["overrides"] == ["threshold=12", "weights.W.2=9"]
    _, cfg, _ = load_config("mlp_backprop", ["training.lr=0.5", "model.sizes.1=3", "training.record=last"])
    assert cfg.training.lr == 0.5 and cfg.training.record == "last"


# ---- configuration errors: one line, file, line, key --------------------------------------------
def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def error_of(source: str, overrides: tuple[str, ...] = ()) -> str:
    with pytest.raises(tracer.ConfigError) as info:
        run_example(source, overrides)
    message = str(info.value)
    assert "\n" not in message
    return message


MLP = "system: mlp\nweights:\n  W1: [[-1, 1], [1, -1], [0, 1]]\n  b1: [1, -1, -1]\n  W2: [[1, 1, 1]]\n  b2: [0]\n"


@pytest.mark.parametrize("text, line, key, problem", [
    ("system: mlp\nfoo: 1\n", 2, "foo", "unknown key"),
    ("system: mlp\ntraining:\n  lrr: 0.1\n", 3, "training.lrr", "unknown key"),
    ("system: mlp\ntraining:\n  steps: many\n", 3, "training.steps", "expected a whole number, got 'many'"),
    ("system: mlp\ntraining:\n  lr: [1]\n", 3, "training.lr", "expected a number, got a list"),
    ("system: mlp\nmodel:\n  activation: swish\n", 3, "model.activation", "'swish' is not one of"),
    (MLP.replace("[[1, 1, 1]]", "[[1, 1]]"), 5, "weights.W2", "wrong shape: expected (1, 3), got (1, 2)"),
    ("system: mlp\ninputs:\n  X: [[1, a], [2, 3]]\n", 3, "inputs.X[0][1]", "non-numeric entry 'a'"),
    ("system: mlp\ninputs:\n  X: [[1, 2], [3]]\n", 3, "inputs.X", "rows of different lengths"),
    (MLP.replace("  b2: [0]\n", ""), 2, "weights", "missing field b2"),
    ("title: no system\n", 1, "system", "missing field"),
    ("system: cnn\n", 1, "system", "'cnn' is not one of"),
    ("system: mlp\ntraining:\n  lr: 0.1\n  lr: 0.2\n", 4, "training.lr", "appears twice"),
    ("system: mlp\ninputs: &x {X: [[1]]}\ntargets: *x\n", 3, "targets", "aliases"),
    ("system: mlp\ntraining: {lr: 0.1\n", 3, "", "malformed YAML"),
    ("system: mlp\nvariants: [1\n", 3, "", "malformed YAML"),
    ("", 1, "", "empty"),
    ("- system: mlp\n", 1, "", "expected a mapping"),
    ("system: perceptron\ninputs:\n  X: [[1], [1]]\n", 3, "inputs.X", "wrong shape: expected (3, any)"),
    ("system: sparse_autoencoder\nfeature_labels: [a]\n", 2, "feature_labels", "expected 6 labels"),
    ("system: next_token\nprompts: [once upon a dragon]\n", 2, "prompts[0]", "'dragon' is not in the vocabulary"),
    ("system: autoencoder\nmodel:\n  sizes: [4, 2, 3]\n", 3, "model.sizes", "ends where it starts"),
    ("system: vanishing_gradients\nvariants:\n  - {activation: relu}\n", 3, "variants[0].name", "missing field"),
    ("system: mlp\ntitle: !!python/name:os.system\n", 2, "title", "expected text, got a value tagged !!python"),
    ("system: mlp\ntraining: {steps: -1}\n", 2, "training.steps", "must be at least 0"),
    ("system: mlp\ninputs:\n  X: [[.nan]]\n", 3, "inputs.X", "finite"),
    ("system: mlp\nlabels:\n  Z: {rows: [a]}\n", 3, "labels.Z", "unknown tensor (expected one of X, Y, W1"),
    ("system: mlp\nlabels:\n  X:\n    cols: [a, b]\n", 4, "labels.X.cols", "2 names for 4 cols of X (2, 4)"),
    ("system: mlp\nlabels:\n  b1: {rows: [a]}\n", 3, "labels.b1.rows", "1 names for 3 rows of b1 (3,)"),
    ("system: mlp\nlabels:\n  X: [a]\n", 3, "labels.X", "expected a mapping of keys"),
    ("system: mlp\nlabels:\n  X: {row: [a]}\n", 3, "labels.X.row", "unknown key (known keys: rows, cols)"),
    ("system: mlp\nlabels:\n  X: {rows: a}\n", 3, "labels.X.rows", "expected a list"),
    ("system: positional_encoding\nsentence:\n  tokens: [a, b]\n  embeddings: {a: [1, 0, 1, 0]}\n", 3,
     "sentence.tokens[1]", "'b' has no embedding"),
])
def test_config_errors_name_file_line_and_key(tmp_path, text, line, key, problem):
    source = write(tmp_path, text)
    message = error_of(source)
    assert message.startswith(f"{source}:{line}: "), message
    assert key in message and problem in message, message


@pytest.mark.parametrize("override, problem", [
    ("training.lrr=1", "unknown key 'lrr'"),
    ("training.lr=fast", "expected a number, got 'fast'"),
    ("training.lr=[1, 2]", "only a single value"),
    ("weights.W1=3", "is not a single value"),
    ("weights.W1.7.0=3", "'7' is not an index"),
    ("training.lr", "expected key=value"),
    ("system=rnn", "chosen by the file"),
    ("training.record=sometimes", "'sometimes' is not one of"),
])
def test_override_errors_name_the_override(override, problem):
    message = error_of("mlp_backprop", (override,))
    assert override.split("=")[0] in message and problem in message, message


def test_a_wrong_shape_after_an_override_names_the_override():
    message = error_of("mlp_backprop", ("model.sizes.1=4",))  # the hidden layer no longer fits W1
    assert message.endswith("weights.W1: wrong shape: expected (4, 2), got (3, 2)"), message
    assert message.startswith(str(Path("examples") / "mlp_backprop.yaml:")) or "mlp_backprop.yaml:" in message


def test_deeply_nested_yaml_is_refused_in_one_line(tmp_path):
    source = write(tmp_path, "system: mlp\ninputs:\n  X: " + "[" * 5000 + "]" * 5000 + "\n")
    assert error_of(source) == f"{source}: malformed YAML: nested too deeply"


def test_missing_files_and_examples_directory(tmp_path, monkeypatch):
    assert error_of(str(tmp_path / "none.yaml")) == f"{tmp_path / 'none.yaml'}: no such file"
    assert "no built-in example of that name (try one of: anomaly_detection" in error_of("no_such_example")
    monkeypatch.setattr(examples, "EXAMPLES_DIR", tmp_path / "gone")
    assert "the built-in examples are missing" in error_of("autoencoder")
