"""``tracer render --layer L --head H``: one attention head as a heat map (scenes/attention_map.py).

The map's token labels, weights and boxes, and the worked cell's lines, are checked against the
trace; every worked line adds up as printed; mistakes are one line with exit code 2 and no file.
MiniLM's own heads need its weights package (make setup installs it); a small transformer block
stands in where they are missing.
"""
from __future__ import annotations

import re

import numpy as np
import pytest
from click.testing import CliRunner

pytest.importorskip("manim")

import tracer  # noqa: E402
from scenes.attention_map import draw, shade, wrap  # noqa: E402
from scenes.head_view import WORDS, find_head  # noqa: E402
from tests import scene_traces as st  # noqa: E402
from tracer.cli import main  # noqa: E402
from tracer.cli_render import render as render_command  # noqa: E402
from tracer.explain import explain  # noqa: E402
from tracer.explain.check import check_line  # noqa: E402
from tracer.i18n import LANGUAGES  # noqa: E402
from tracer.nn import TransformerBlock  # noqa: E402
from tracer.pretrained.minilm import INSTALL, weights_available  # noqa: E402

needs_weights = pytest.mark.skipif(not weights_available(),
                                   reason=f"the all-MiniLM-L6-v2 weights are not installed: {INSTALL}")


@pytest.fixture(autouse=True)
def elsewhere(tmp_path, monkeypatch):
    """Run in a temporary folder: a default output name never lands in the repository."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="module")
def queen(tmp_path_factory):
    """MiniLM on a short sentence: [CLS] the queen sat . [SEP]."""
    if not weights_available():
        pytest.skip(f"the all-MiniLM-L6-v2 weights are not installed: {INSTALL}")
    path = tmp_path_factory.mktemp("minilm") / "queen.trace"
    result = CliRunner().invoke(main, ["run", "minilm", "--text", "The queen sat.", "-o", str(path)])
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture(scope="module")
def block_file(tmp_path_factory):
    """A small transformer block (2 heads) on three labelled tokens: no weights package needed."""
    block = TransformerBlock.init(d=4, n_heads=2, d_ff=8, seed=0)
    with tracer.record() as trace:
        block(tracer.tensor(np.random.default_rng(1).normal(size=(3, 4)), name="x", rows=["I", "saw", "it"]))
    path = tmp_path_factory.mktemp("block") / "block.trace"
    trace.save(path)
    return path


@pytest.fixture(scope="module")
def drawn(queen, tmp_path_factory):
    """Layer 1, head 3 of the queen's trace, drawn once as a still: (trace, view, scene)."""
    trace = tracer.load(queen)
    view = find_head(trace, 1, 3)
    path = tmp_path_factory.mktemp("drawn") / "map.png"
    scene = draw(view, path)
    assert path.read_bytes()[:4] == b"\x89PNG"
    return trace, view, scene


def render(*args):
    return CliRunner().invoke(render_command, [str(a) for a in args])


def numbers(line: str) -> float:
    """The value a worked line ends on."""
    return float(re.split(r" [=≈] ", line)[-1].replace("−", "-"))


def joined(pieces: list[str]) -> str:
    """A worked line put back together from the pieces it was wrapped into."""
    return " ".join(p.strip() for p in pieces)


# ---- the map and its worked cell, against the trace ---------------------------------------------------
@needs_weights
def test_the_heat_map_shows_the_tokens_the_weights_and_each_rows_strongest_key(drawn):
    trace, _, scene = drawn
    tokens = trace.meta["tokens"]
    assert tokens == ["[CLS]", "the", "queen", "sat", ".", "[SEP]"]
    P = np.asarray(trace.tensors[trace.step("blocks.1.attn.pattern").outputs[0]].data)[3]
    heat = scene.heat
    assert [m.text for m in heat.row_labels] == tokens == [m.text for m in heat.col_labels]
    for i in range(len(tokens)):
        for j in range(len(tokens)):
            square, number = heat.get_cell(i, j)
            assert float(number.text) == pytest.approx(P[i, j], abs=0.005)       # printed to 2 places
            assert square.get_fill_color().to_hex().upper() == shade(P[i, j])
        box = heat.boxes[i]
        assert np.allclose(box.get_center(), heat.get_cell(i, int(np.argmax(P[i]))).get_center())
    rows = heat.cells
    assert rows[0].get_center()[1] > rows[1].get_center()[1]                      # queries down
    assert rows[0][0].get_center()[0] < rows[0][1].get_center()[0]                # keys across


@needs_weights
def test_the_worked_cell_is_q_dot_k_over_root_d_then_the_softmax_of_its_row(drawn):
    trace, view, scene = drawn
    layer, head = 1, 3
    i, j = view.cell
    assert (i, j) == (3, int(np.argmax(view.weights[3])))                         # the middle token's strongest key
    data = {name: np.asarray(trace.tensors[trace.step(f"blocks.{layer}.attn.{name}").outputs[0]].data)
            for name in ("q_heads", "k_heads", "scores", "scaled", "pattern")}
    q, k = data["q_heads"][head, i], data["k_heads"][head, j]
    score, scaled, weight = (view.workings[n].lines[-1] for n in range(3))
    assert [w.step for w in view.workings] == [trace.step(f"blocks.{layer}.attn.{n}").id
                                               for n in ("scores", "scaled", "pattern")]
    assert view.kinds == ("contraction", "elementwise", "normalization")
    assert numbers(score) == pytest.approx(float(q @ k), abs=0.006)
    assert numbers(scaled) == pytest.approx(float(q @ k) / np.sqrt(len(q)), abs=0.006)
    assert numbers(weight) == pytest.approx(float(data["pattern"][head, i, j]), abs=0.005)
    assert view.workings[0].formula == f"q_heads[{head}, {i}, :]·k_T[{head}, :, {j}]"
    assert "[25 terms:" in score                                                  # 32 products, the middle summed
    row = np.exp(data["scaled"][head, i] - data["scaled"][head, i].max())
    assert numbers(view.workings[2].lines[1]) == pytest.approx(float(row.sum()), abs=0.006)  # Σ over the row

    shown = [m.text for m in scene.panel]
    assert shown[0] == f"Workedcell:{view.queries[i]}→{view.keys[j]}"           # Manim's Text drops spaces
    for w in view.workings:
        assert w.formula in shown
        for line in w.lines:                                                      # every line on screen, whole
            pieces = next(shown[a:b] for a in range(len(shown)) for b in range(a + 1, len(shown) + 1)
                          if joined(shown[a:b]) == line)
            assert pieces
    earlier: list[str] = []
    for w in view.workings:                                                       # and each adds up as printed
        for line in w.lines:
            problems, results = check_line(line)
            assert not problems, problems
            earlier += results
    assert explain(trace, view.step, (head, i, j), minus="−").text == view.texts[i][j]


@needs_weights
def test_render_writes_a_video_of_one_head(queen, tmp_path):
    movie = tmp_path / "head.mp4"
    result = render(queen, "--layer", 0, "--head", 2, "--fps", 2, "-o", movie)
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1] == str(movie) and movie.read_bytes()[4:8] == b"ftyp"
    assert [p.name for p in tmp_path.iterdir()] == ["head.mp4"]                   # no scratch left behind


def test_a_small_block_renders_in_traditional_chinese(block_file, tmp_path):
    out = tmp_path / "block.png"
    result = render(block_file, "--layer", 0, "--head", 1, "--format", "png", "--lang", "zh-Hant", "-o", out)
    assert result.exit_code == 0, result.output
    assert out.read_bytes()[:4] == b"\x89PNG"
    view = find_head(tracer.load(block_file), 0, 1, lang="zh-Hant")
    assert view.queries == view.keys == ("I", "saw", "it") and view.cell == (1, view.strongest[1])


# ---- mistakes: one line, exit 2, no file ----------------------------------------------------------------
@pytest.mark.parametrize("args, message", [
    (["--layer", "1", "--head", "0"], "error: --layer 1: the trace has layers 0..0"),
    (["--layer", "0", "--head", "2"], "error: --head 2: layer 0 has heads 0..1"),
    (["--layer", "0"], "error: --layer needs --head too"),
    (["--head", "0"], "error: --head needs --layer too"),
    (["--layer", "0", "--head", "0", "--steps", "0..3"], "--steps, --depth and --scene do not apply"),
])
def test_a_wrong_layer_or_head_is_one_line_naming_the_range(block_file, tmp_path, args, message):
    out = tmp_path / "x.png"
    result = render(block_file, *args, "--format", "png", "-o", out)
    assert result.exit_code == 2 and message in result.output, result.output
    assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output
    assert not out.exists()


@needs_weights
@pytest.mark.parametrize("args, message", [
    (["--layer", "6", "--head", "0"], "error: --layer 6: the trace has layers 0..5"),
    (["--layer", "3", "--head", "12"], "error: --head 12: layer 3 has heads 0..11"),
])
def test_minilm_names_its_six_layers_and_twelve_heads(queen, tmp_path, args, message):
    result = render(queen, *args, "-o", tmp_path / "x.mp4")
    assert result.exit_code == 2 and result.output.strip() == message
    assert not (tmp_path / "x.mp4").exists()


def test_a_trace_without_attention_has_no_layer_to_show(tmp_path):
    path = tmp_path / "mlp.trace"
    st.mlp().save(path)
    result = render(path, "--layer", "0", "--head", "0", "-o", tmp_path / "x.png")
    assert result.exit_code == 2 and "no attention pattern" in result.output and "tracer run minilm" in result.output
    assert len(result.output.strip().splitlines()) == 1 and not (tmp_path / "x.png").exists()


# ---- the pieces ---------------------------------------------------------------------------------------------
def test_the_scale_is_sequential_and_never_blue():
    colours = [shade(w) for w in np.linspace(0, 1, 11)]
    rgb = [tuple(int(c[k:k + 2], 16) for k in (1, 3, 5)) for c in colours]
    light = [0.299 * r + 0.587 * g + 0.114 * b for r, g, b in rgb]
    assert all(a > b for a, b in zip(light, light[1:]))          # darker as the weight grows
    assert all(b <= g <= r for r, g, b in rgb)                    # warm all the way: no blue cast


def test_a_long_line_wraps_before_an_operator_and_reads_the_same():
    line = "0.25×(−0.64) − 0.83×0.74 + 0.41×(−0.20) − 0.12×(−0.67) + [25 terms: 24.84] + 0.39×1.31 = 27.31"
    pieces = wrap(line, 30)
    assert all(len(p) <= 30 for p in pieces) and joined(pieces) == line
    assert all(p.lstrip()[0] in "+−=" for p in pieces[1:])


def test_every_word_is_in_four_languages_with_full_width_punctuation_in_chinese():
    for key, entry in WORDS.items():
        assert set(entry) == set(LANGUAGES) and all(entry[lang].strip() for lang in LANGUAGES), key
        for lang in ("zh-Hant", "zh-Hans"):
            assert not re.search(r"[\u3400-\u9fff][,:;.()]|[,:;.()]\s*[\u3400-\u9fff]", entry[lang]), entry[lang]
        placeholders = {lang: set(re.findall(r"\{\w+\}", entry[lang])) for lang in LANGUAGES}
        assert all(p == placeholders["en"] for p in placeholders.values()), key


def test_a_batched_product_works_one_heads_row_times_its_column():
    q = np.array([[[1.0, 2.0], [3.0, 4.0]], [[0.5, -1.0], [2.0, 0.0]]])        # (heads, T, d)
    k = np.array([[[1.0, 0.0], [0.0, 1.0]], [[2.0, 1.0], [1.0, 3.0]]])
    with tracer.record() as trace:
        tracer.matmul(tracer.tensor(q, name="q"), tracer.tensor(k, name="kT"), name="s")
    w = explain(trace, "s", (1, 0, 1))
    assert w.formula == "q[1, 0, :]·kT[1, :, 1]" and w.expression == "0.50×1 - 1.00×3 = -2.50"  # by hand: 0.5 − 3
    assert [c for _, c in w.reads] == [(1, 0, 0), (1, 0, 1), (1, 0, 1), (1, 1, 1)]


def test_a_causal_mask_is_passed_over_on_the_way_back_to_the_scores():
    block = TransformerBlock.init(d=4, n_heads=2, d_ff=8, seed=0)
    with tracer.record() as trace:
        block(tracer.tensor(np.ones((3, 4)), name="x", rows=["I", "saw", "it"]), mask=np.tril(np.ones((3, 3), bool)))
    view = find_head(trace, 0, 1)
    assert [trace.steps[w.step].name for w in view.workings] == [
        "blocks.0.attn.scores", "blocks.0.attn.scaled", "blocks.0.attn.pattern"]
    assert view.texts[0] == ("1.00", "0.00", "0.00") and view.strongest[0] == 0   # the first token sees itself only
