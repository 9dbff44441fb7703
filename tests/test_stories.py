"""Every built-in example names the axes its storyboard names and declares a story: chapters that
tell every step of its trace once, plots whose numbers are the run's own, and a recap in four
languages stating the result a learner should leave with."""
from __future__ import annotations

import re

import numpy as np
import pytest

import tracer
from tracer.i18n import LANGUAGES
from tracer.label_names import label
from tracer.story import Story, text
from tracer.systems.stories import coverage, num, prob, shown

from .example_runs import NAMES, run

# these examples' stories are checked in detail by tests/test_remedies.py
REMEDIES = {"vanishing_gradients", "exploding_gradients", "rnn", "lstm", "gru", "self_attention",
            "gradient_through_time", "rnn_vs_attention"}
PENDING: set[str] = set()   # examples whose story is still to be written
MINE = [n for n in NAMES if n not in REMEDIES | PENDING]

# the words a learner should leave with (issue 9, "How we will know"), per example
RECAP_WORDS = {
    "next_token": ["time"], "masked_lm": ["queen", "king"], "sparse_autoencoder": ["Everest", "mountain"],
    "mlp_backprop": ["0.02"], "word_autoencoder": ["armadillo"], "next_char": ["共和国"], "autoencoder": ["6.11"],
    "perceptron": ["company"], "normalization": ["0.75"], "minilm": ["queen → the", "[CLS]", "384"],
}


def story(name: str) -> Story:
    got = Story.from_meta(run(name).meta)
    assert got is not None, f"{name} declares no story"
    return got


def values(trace: tracer.Trace, step: str, k: int = 0) -> np.ndarray:
    return np.asarray(trace.tensors[trace.step(step).outputs[k]].data)


def labels(trace: tracer.Trace, step: str, k: int = 0) -> tuple:
    return trace.tensors[trace.step(step).outputs[k]].labels


# ---- every story ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", NAMES)
def test_the_chapters_tell_every_step_once(name):
    if name in PENDING:
        pytest.skip(f"{name}: its story comes with its walkthrough")
    trace = run(name)
    told = story(name)
    coverage(trace, told.chapters)                  # raises on a step left out or told twice
    assert told.chapters[0].play == "full"          # the first pass is worked, not skimmed
    for c in told.chapters:
        assert c.play in ("full", "summary", "skip") and c.repeat >= 1
        if c.play == "skip":   # only bookkeeping may go unseen (tokens turned to rows), never arithmetic
            ops = {trace.steps[k].op for k in range(c.steps[0], c.steps[1] + 1)}
            assert all(tracer.OPS[op].family == "structural" for op in ops), (c.title["en"], ops)
        assert c.play == "summary" or c.repeat == 1  # ×N only on a fast-forwarded repetition


@pytest.mark.parametrize("name", MINE)
def test_every_text_is_in_four_languages(name):
    told = story(name)
    texts = [told.title, told.question, told.recap] + [c.title for c in told.chapters] + [p.title for p in told.plots]
    for t in texts:
        assert set(t) == set(LANGUAGES) and all(t[lang].strip() for lang in LANGUAGES), t
        for lang in ("zh-Hant", "zh-Hans"):   # full-width punctuation in Chinese sentences
            assert not re.search(r"[\u3400-\u9fff][,:;.()]|[,:;.()]\s*[\u3400-\u9fff]", t[lang]), t[lang]
    assert told.plots, "the plot the example exists for"


@pytest.mark.parametrize("name", MINE)
def test_every_plot_is_complete_and_follows_a_chapter(name):
    trace, told = run(name), story(name)
    for plot in told.plots:
        assert plot.after is None or 0 <= plot.after < len(told.chapters)
        if plot.kind == "bars":
            assert len(plot.labels) == len(plot.values) > 1 and set(plot.highlight) <= set(plot.labels)
        elif plot.kind == "lines":
            assert plot.series and all(len(v) == len(plot.x) for v in plot.series.values())
        elif plot.kind == "heatmap":
            assert plot.tensor in trace.tensors
        else:
            assert plot.kind == "scatter" and len(plot.points) > 2


@pytest.mark.parametrize("name", sorted(RECAP_WORDS))
def test_the_recap_states_the_result(name):
    recap = story(name).recap
    table = run(name).meta.get("label_names")   # a word of the data as the grids name it in lang
    for lang in LANGUAGES:
        assert any(label(w, lang, table) in recap[lang] for w in RECAP_WORDS[name]), (lang, recap[lang])


@pytest.mark.parametrize("name", MINE)
def test_heat_maps_show_a_tensor_of_the_trace_with_its_names(name):
    trace = run(name)
    for plot in story(name).plots:
        if plot.kind == "heatmap":
            rec = trace.tensors[plot.tensor]
            assert plot.labels == list(rec.labels[-2] or []) and plot.cols == list(rec.labels[-1])
            assert len(plot.cols) == rec.shape[-1]


@pytest.mark.parametrize("name", MINE)
def test_loss_curves_are_the_runs_losses(name):
    trace = run(name)
    for plot in story(name).plots:
        if plot.kind == "lines" and "loss" in plot.series:
            assert plot.series["loss"] == pytest.approx(trace.meta["loss_history"])
            steps = trace.meta.get("loss_steps", range(len(plot.x)))   # the training step of each value
            assert plot.x == [float(k) for k in steps] and len(plot.x) == len(plot.series["loss"])


@pytest.mark.parametrize("name", ["next_token", "positional_encoding"])
def test_the_story_and_the_names_survive_the_trace_file(tmp_path, name):
    trace = run(name)
    trace.save(tmp_path / "n.trace")
    back = tracer.load(tmp_path / "n.trace")
    assert Story.from_meta(back.meta) == story(name)
    assert all(back.tensors[t].labels == r.labels for t, r in trace.tensors.items())


# ---- example by example: the storyboard's names, summaries and plots --------------------------------------
def test_perceptron():
    trace, told = run("perceptron"), story("perceptron")
    X = trace.tensors[trace.step("decide.perceptron.S").inputs[1]]
    assert X.labels == (("weather", "price", "company"), ("this weekend",))
    assert labels(trace, "decide.perceptron.Y_hat") == (("go",), ("this weekend",))
    summary = [c for c in told.chapters if c.play == "summary"]
    assert [c.repeat for c in summary] == [len(trace.meta["epochs"]) - 1]
    weights = told.plots[0].series
    assert [weights["company"][0], weights["company"][-1]] == [4, 9]   # the learning rule's changes
    assert "8·1 + 4·1 + 4·0 = 12 > 8" in text(told.recap, "en") and "7 ≤ 8" in text(told.recap, "en")


def test_normalization():
    trace, told = run("normalization"), story("normalization")
    assert labels(trace, "minmax.normalized")[1] == ("Ana", "Bao", "Chen", "Dana", "Eli")
    assert told.plots[0].values == values(trace, "minmax.normalized").ravel().tolist()


@pytest.mark.parametrize("name, repeat", [("mlp_backprop", 4), ("autoencoder", 4)])
def test_training_one_update_in_full_the_rest_fast(name, repeat):
    trace, told = run(name), story(name)
    plays = [(c.play, c.repeat) for c in told.chapters]
    assert plays[:4] == [("full", 1)] * 4 and ("summary", repeat) in plays   # forward, loss, backward, update
    assert trace.steps[told.chapters[3].steps[0]].phase == "update"
    assert num(trace.meta["loss_history"][-1]) in text(told.recap, "en")


def test_mlp_and_autoencoder_name_their_units_and_samples():
    mlp, ae = run("mlp_backprop"), run("autoencoder")
    assert labels(mlp, "train.0.layer1.Z1") == (("h1", "h2", "h3"), ("s1", "s2", "s3", "s4"))
    assert labels(ae, "train.0.encoder.layer2.H2") == (("c1", "c2"), ("X1", "X2", "X3", "X4"))
    grad = ae.tensors[ae.step("train.0.encoder.layer1.Z1.grad").outputs[0]]
    assert grad.labels == (("e1", "e2", "e3"), ("px1", "px2", "px3", "px4"))   # dW1 named like W1
    assert labels(run("autoencoder_large"), "train.2.encoder.layer2.H2") == (
        tuple(f"c{k}" for k in range(1, 11)), ("signal 1", "signal 2", "signal 3", "signal 4"))


def test_sparse_autoencoder():
    trace, told = run("sparse_autoencoder"), story("sparse_autoencoder")
    assert labels(trace, "encoder.f") == (tuple(f"f{k}" for k in range(1, 7)), ("sea", "Alps", "Everest", "river", "sky"))
    heat = told.plots[0]
    assert heat.kind == "heatmap" and heat.tensor == trace.step("encoder.f").outputs[0]
    assert "f6 = mountain" in text(told.recap, "en") and "Alps, Everest" in text(told.recap, "en")


def test_attention_heads_are_heat_maps_with_tokens():
    for name, scope in (("multi_head_attention", "attn"), ("transformer_block", "blocks.0.attn")):
        trace, told = run(name), story(name)
        heads = [p for p in told.plots if p.kind == "heatmap"][:2]
        assert [p.tensor for p in heads] == [trace.step(f"{scope}.head{h}.weights").outputs[0] for h in (1, 2)]
        assert heads[0].labels == heads[0].cols == ["once", "upon", "a"]
        assert told.chapters[1].play == "summary"                     # head 2: the same computation
        names = {trace.tensors[o].name for s in trace.steps if s.phase == "forward" for o in s.outputs}
        assert {"Q₁", "K₁", "Q₂", "K₂"} <= names and "out" not in names


def test_positional_encoding_tells_the_two_mazi_apart():
    trace, told = run("positional_encoding"), story("positional_encoding")
    assert labels(trace, "X_pos") == (("d0", "d1", "d2", "d3"), ("中", "华", "人", "民"))
    assert labels(trace, "sentence.X")[1] == ("张", "麻子", "正在", "打", "李", "麻子")
    X, Y = values(trace, "sentence.X"), values(trace, "sentence.X_pos")
    assert (X[:, 1] == X[:, 5]).all() and not np.allclose(Y[:, 1], Y[:, 5])
    recap = text(told.recap, "zh-Hans")
    assert "麻子" in recap and shown(Y[0, 1], Y) in recap and shown(Y[0, 5], Y) in recap   # as the map writes them


@pytest.mark.parametrize("name, scope, winners", [
    ("next_token", "prompt0.generate.0", [("prompt0.generate.0", "time"), ("prompt1.generate.0", "throne")]),
    ("next_char", "prompt0.generate.0", [(f"prompt0.generate.{k}", c) for k, c in enumerate("共和国")]),
])
def test_next_token_bars_over_the_vocabulary(name, scope, winners):
    trace, told = run(name), story(name)
    vocab = tuple(trace.meta["vocabulary"])
    assert labels(trace, f"{scope}.logits")[0] == vocab
    assert labels(trace, f"{scope}.blocks.0.attn.head1.weights")[0] == tuple(trace.meta["prompt_tokens"][0])
    bars = [p for p in told.plots if p.kind == "bars"]
    assert len(bars) == len(winners)                                   # every prediction, the later ones fast
    for plot, (at, word) in zip(bars, winners):
        p = values(trace, f"{at}.probs")[:, 0]
        assert plot.labels == list(vocab) and plot.values == p.tolist() and plot.highlight == [word]
        assert plot.labels[int(np.argmax(plot.values))] == word
        assert f"{word}" in text(told.recap, "en") or word in "共和国"
    assert [c.play for c in told.chapters[4:]] == ["summary"] * (len(winners) - 1)
    heat = next(p for p in told.plots if p.kind == "heatmap")   # right after the chapter that computes it
    weights = trace.step(f"{scope}.blocks.0.attn.head1.weights").id
    chapter = told.chapters[heat.after]
    assert chapter.steps[0] <= weights <= chapter.steps[1]   # and nothing after them but the head's own mix
    assert all(trace.steps[i].parent is not None for i in range(weights + 1, chapter.steps[1] + 1))
    assert told.result() is bars[0]   # the recap shows the first prompt's answer
    first = trace.meta["completions"][0]
    assert prob(first["probabilities"][0]) in text(told.recap, "en")


def test_masked_lm():
    trace, told = run("masked_lm"), story("masked_lm")
    assert labels(trace, "blocks.0.attn.head1.weights")[0] == ("the", "[MASK]", "sat", "on", "the", "throne")
    bars = next(p for p in told.plots if p.kind == "bars")
    assert bars.values == values(trace, "probs")[:, 0].tolist()
    assert sorted(bars.highlight) == ["king", "queen"]


def test_word_autoencoder_scatter_is_the_codes():
    trace, told = run("word_autoencoder"), story("word_autoencoder")
    codes = values(trace, "codes.encoder.layer1.H1")
    words = labels(trace, "codes.encoder.layer1.H1")[1]
    scatter = next(p for p in told.plots if p.kind == "scatter")
    assert [(q["label"], q["x"], q["y"]) for q in scatter.points] == [(w, *codes[:, j]) for j, w in enumerate(words)]
    assert "king and queen end closest" in text(told.recap, "en")
    assert num(trace.meta["distances"]["king-armadillo"]) in text(told.recap, "en")


def test_anomaly_detection_flags_the_odd_day():
    trace, told = run("anomaly_detection"), story("anomaly_detection")
    meta = trace.meta
    odd = meta["samples"][meta["odd"]]
    bars = next(p for p in told.plots if p.kind == "bars")
    assert bars.values == values(trace, "anomaly.errors")[0].tolist() and bars.threshold == meta["threshold"]
    assert bars.highlight == [odd] and labels(trace, "anomaly.errors")[1] == tuple(meta["samples"])
    assert all(label(odd, lang, meta["label_names"]) in told.recap[lang] for lang in LANGUAGES)
    assert "週四" in told.recap["zh-Hant"] and "T5" in told.recap["vi"]   # the odd day, Thursday, as the grids say it


def test_minilm_finds_its_previous_token_head_in_the_run():
    trace, told = run("minilm"), story("minilm")
    tokens = trace.meta["tokens"]
    patterns = [values(trace, f"blocks.{k}.attn.pattern") for k in range(trace.meta["layers"])]
    bars = next(p for p in told.plots if p.kind == "bars")
    layer, head = (int(n) for n in re.findall(r"\d+", bars.title["en"])[:2])
    before = [float(patterns[layer][head, i, i - 1]) for i in range(1, len(tokens))]
    assert bars.labels == [f"{tokens[i]} → {tokens[i - 1]}" for i in range(1, len(tokens))] and bars.values == before
    assert all(np.mean(np.diagonal(p[h], offset=-1)) <= np.mean(before) + 1e-6   # no head looks back more
               for p in patterns for h in range(p.shape[0]))
    assert (layer, head) == (0, 2) and min(before) > 0.99                  # on the queen's sentence
    cls = next(p for p in told.plots if p.kind == "lines")
    assert cls.series["[CLS]"] == pytest.approx([float(p[:, :, 0].mean()) for p in patterns])
    assert f"Layer {layer}, head {head} looks at the token before" in text(told.recap, "en")
    assert [c.play for c in told.chapters] == ["full", "full", "summary", "full", "full"]
    assert told.chapters[2].repeat == trace.meta["layers"] - 1


@pytest.mark.parametrize("name", ["lstm", "rnn", "gru"])
def test_a_recurrent_story_closes_on_what_its_training_did(name):
    """The pass once more after the SGD step: its loss and y are the trace's own, the recap says
    them as the closing bars write them (the loss before → after) and the answer it moved."""
    trace, told = run(name), story(name)
    before, after = (values(trace, step) for step in ("train.0.loss", "after.loss"))
    assert trace.meta["loss_history"] == pytest.approx([before.item(), after.item()])
    assert after.item() < before.item()
    bars = told.result()
    assert bars.kind == "bars" and bars.values == pytest.approx([before.item(), after.item()])
    y0, y1 = values(trace, f"{name}.y"), values(trace, f"after.{name}.y")
    for lang in LANGUAGES:
        said = text(told.recap, lang)
        assert all(w in said for w in (num(before.item()), num(after.item()), shown(y0.item(), y0), shown(y1.item(), y1)))
    assert told.chapters[-1].play == "summary" and trace.steps[told.chapters[-1].steps[0]].name.startswith("after.")


def test_the_transformer_block_closes_on_its_output():
    trace, told = run("transformer_block"), story("transformer_block")
    out = told.result()
    assert out.kind == "heatmap" and out.tensor == trace.step("blocks.0.ln2").outputs[0]
    assert out.cols == ["once", "upon", "a"]


def test_self_attention_closes_on_the_map_its_recap_reads():
    """The recap names each word's strongest key with the weight the model gave it before training
    (我 → 吃 0.79 …): the map beside it is that one, where a reader finds each of those numbers."""
    trace, told = run("self_attention"), story("self_attention")
    weights = values(trace, "attn.weights")
    shown_map = told.result()
    assert shown_map.kind == "heatmap" and shown_map.tensor == trace.step("attn.weights").outputs[0]
    said = text(told.recap, "en")
    for row in weights:
        assert f" {shown(row.max(), weights)}" in said
