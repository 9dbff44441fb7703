"""Every card page (plots of each kind, the whole-network overview, the title and recap cards) lies
in the frame and above the caption band, where the captions and subtitles are written; the
largest overview (transformer_block, 35 layers) is drawn large enough to read at 480p."""
from __future__ import annotations

import pytest

pytest.importorskip("manim")

from manim import VMobject  # noqa: E402
from scenes import style  # noqa: E402
from scenes.cards import recap_page, title_page  # noqa: E402
from scenes.curated import build_plan  # noqa: E402
from scenes.overview import overview_page  # noqa: E402
from scenes.plots import plot_page  # noqa: E402
from tracer.story import Plot, Story  # noqa: E402

from .example_runs import run  # noqa: E402

BAND_TOP = -style.FRAME_HEIGHT / 2 + style.CAPTION_HEIGHT   # the caption band's upper edge


def assert_on_page(page: VMobject, what: str) -> None:
    """``page`` lies whole in the frame and above the caption band."""
    lo, hi = page.get_corner([-1, -1, 0]), page.get_corner([1, 1, 0])
    assert lo[1] >= BAND_TOP, f"{what} reaches {BAND_TOP - lo[1]:.2f} into the caption band"
    assert hi[1] <= style.FRAME_HEIGHT / 2, f"{what} leaves the frame at the top"
    assert -style.FRAME_WIDTH / 2 <= lo[0] and hi[0] <= style.FRAME_WIDTH / 2, f"{what} leaves the frame at a side"


def plots(name: str) -> list[Plot]:
    return Story.from_meta(run(name).meta).plots


@pytest.mark.parametrize("name, kind", [("vanishing_gradients", "lines"), ("next_char", "bars"),
                                        ("anomaly_detection", "bars"), ("next_char", "heatmap"),
                                        ("sparse_autoencoder", "heatmap"), ("word_autoencoder", "scatter")])
def test_every_kind_of_plot_stays_above_the_caption_band(name, kind):
    chosen = [p for p in plots(name) if p.kind == kind]
    assert chosen
    for plot in chosen:
        assert_on_page(plot_page(plot, run(name), "en"), f"{name}'s {kind} plot")


def test_sixteen_bars_with_a_threshold_stay_above_the_caption_band():
    plot = Plot("bars", {"en": "error"}, labels=[f"sample {k}" for k in range(20)],
                values=[0.01 * k for k in range(20)], highlight=["sample 19"], threshold=0.15)
    assert_on_page(plot_page(plot, None, "en"), "twenty bars with a threshold")


@pytest.mark.parametrize("name", ["transformer_block", "gradient_through_time", "lstm"])
def test_the_overview_of_a_big_network_stays_above_the_caption_band(name):
    nodes = next(b.data for b in build_plan(run(name)).beats if b.card == "overview")
    page = overview_page(nodes, "The whole network on one page", "en")
    assert_on_page(page, f"{name}'s overview")
    stood_for = sorted(name for n in page.nodes for name in n.names)   # a box each, or a cell standing for them
    assert stood_for == sorted(name for n in nodes for name in n.names)   # still every layer, on one page


def test_the_transformer_blocks_overview_is_legible_at_480p():
    nodes = next(b.data for b in build_plan(run("transformer_block")).beats if b.card == "overview")
    assert sum(len(n.names) for n in nodes) == 35 and len(nodes) <= 15   # 35 layers in at most 15 boxes
    page = overview_page(nodes, "The whole network on one page", "en")
    said = {m.text: m for m in page.get_family() if isinstance(getattr(m, "text", None), str)}
    # a unit is 60 px at 480p: a layer's name at least 10 px tall, the op that made it 7 px
    # (they were 7 and 5 px when the page ran 8 boxes a row and into the caption band)
    assert said["ln1"].height >= 0.16 and said["matmul → div"].height >= 0.12
    assert said["add → layer_norm"].height >= 0.12   # a long op line goes on two lines, not shrunk to fit


def test_the_title_and_recap_cards_stay_above_the_caption_band():
    question = "Why do deep sigmoid networks stop learning, and which remedies bring the gradient back? " * 2
    assert_on_page(title_page("Vanishing gradients", question, "en"), "the title card")
    assert_on_page(recap_page("RECAP", "The gradient shrinks at every sigmoid layer. " * 12, "en"), "the recap card")
