"""The plots a story draws, read back from their mobjects (no video): a log axis says so, series
that blow up leave the axis to the survivors, labels never print over each other, a point or the
threshold line, identical series are one line named after all of them, every series has its own
colour, the legend stays in the frame, and a heat map's note is the story's."""
from __future__ import annotations

import itertools

import pytest

pytest.importorskip("manim")

from manim import Dot, VMobject  # noqa: E402
from scenes import style  # noqa: E402
from scenes.plot_labels import GAP  # noqa: E402
from scenes.plots import AREA, MARGIN, SERIES, _overlap, plot_page  # noqa: E402
from tracer.story import Plot, Story, text  # noqa: E402
from tracer.systems.stories import num  # noqa: E402

from .example_runs import run  # noqa: E402
from .test_scenes_story import tiny  # noqa: E402


def labels(page: VMobject) -> dict[str, VMobject]:
    """Every piece of text on ``page`` by what it says."""
    return {getattr(m, "original_text", m.text): m for m in page.get_family() if isinstance(getattr(m, "text", None), str)}


def written(page: VMobject, numbers: list[str]) -> list[VMobject]:
    """Every piece of text on ``page`` that writes one of ``numbers`` (a number may be written twice)."""
    return [m for m in page.get_family() if isinstance(getattr(m, "text", None), str)
            and getattr(m, "original_text", m.text) in numbers]


def curves(page: VMobject) -> list[VMobject]:
    """The drawn series: strokes in a series colour."""
    colours = {c.lower() for c in SERIES}
    return [m for m in page.get_family() if (type(m).__name__ == "DashedVMobject" or type(m).__name__ == "VMobject" and m.has_points())
            and m.stroke_color.to_hex().lower() in colours and m.width > 1.0]


def apart(mobs: list[VMobject]) -> None:
    for a, b in itertools.combinations(mobs, 2):
        assert not _overlap(a, b, gap=0.0), (a, b)


def test_values_spanning_many_powers_of_ten_get_a_log_axis_that_says_so():
    wide = plot_page(Plot("lines", {"en": "Loss"}, y_label={"en": "loss"}, series={"a": [2.0, 2e6]}), None, "en")
    assert "loss (log scale)" in labels(wide)
    narrow = plot_page(Plot("lines", {"en": "Loss"}, y_label={"en": "loss"}, series={"a": [2.0, 20.0]}), None, "en")
    assert "loss" in labels(narrow) and not any("log" in s for s in labels(narrow))
    said = plot_page(Plot("lines", {"en": "‖g‖"}, y_label={"en": "‖g‖"}, series={"a": [2.0, 3.0]}, log_y=True), None, "vi")
    assert "‖g‖ (thang logarit)" in labels(said)


def test_series_that_overflow_leave_the_axis_to_the_survivors_and_print_their_peak():
    plot = Plot("lines", {"en": "‖g‖"}, y_label={"en": "‖g‖"}, x=[0, 1, 2, 3], log_y=True,
                series={"SGD": [2.09e4, 7.55e17, 2.35e126, None], "Adam": [2.09e4, 8e3, 2e3, 1.1]},
                marks=[{"x": 3, "label": {"en": "SGD overflows"}}, {"x": 3, "label": {"en": "SGD + L2 overflows"}}])
    page = plot_page(plot, None, "en")
    axis = page.submobjects[1][1]                 # the y axis (its top comes down when the marks stack)
    assert abs(axis.get_bottom()[1] - AREA[1]) < 0.05 and axis.get_top()[1] <= AREA[3] + 1e-6
    sgd, adam = curves(page)
    assert adam.height > 0.8 * axis.height        # 1.1 … 20894 fills the axis (it was 4 of 126 decades)
    assert sgd.get_top()[1] <= axis.get_top()[1] + 1e-6   # the overflowing one runs off the top, not past it
    said = labels(page)
    assert "↑ 2.35e+126" in said   # as a grid of one of them writes it
    assert {"10¹", "10²", "10³", "10⁴"} <= set(said) and "10⁵" not in said   # the decades 1.1 … 20894 spans
    apart([said[s] for s in ("SGD overflows", "SGD + L2 overflows", "↑ 2.35e+126", "‖g‖ (log scale)")] + [page.title])


def test_identical_series_are_one_line_named_after_all_of_them():
    same = [3916.0, 7252.0, 9159.0]
    series = {name: list(same) for name in ("SGD", "SGD + clip by norm", "Adam", "RMSprop", "SGD + L2", "clip by value")}
    page = plot_page(Plot("lines", {"en": "‖dW‖"}, series={**series, "He init": [0.19, 0.24, 0.02]}, log_y=True), None, "en")
    assert len(curves(page)) == 2
    said = " ".join(labels(page))
    assert all(name in said for name in [*series, "He init"]) and "6 identical series, one line" in said


def test_every_series_has_its_own_colour_or_dash_and_the_legend_stays_in_the_frame():
    assert min(sum((int(a[i:i + 2], 16) - int(b[i:i + 2], 16)) ** 2 for i in (1, 3, 5)) ** 0.5
               for a, b in itertools.combinations(SERIES, 2)) > 60     # no two purples, no two greys
    names = [f"a rather long series name {k}" for k in range(10)]
    page = plot_page(Plot("lines", {"en": "Ten"}, series={n: [1.0 + k, 2.0 + k] for k, n in enumerate(names)}), None, "en")
    drawn = curves(page)[:10]
    assert len({(c.stroke_color.to_hex(), type(c).__name__) for c in drawn}) == 10
    assert page.get_right()[0] <= style.FRAME_WIDTH / 2 - MARGIN + 1e-6 and page.get_left()[0] >= -style.FRAME_WIDTH / 2
    assert page.get_top()[1] <= style.FRAME_HEIGHT / 2 and page.get_bottom()[1] >= -style.FRAME_HEIGHT / 2
    apart([labels(page)[n] for n in names])


def test_scatter_labels_clear_each_other_and_every_point():
    points = [("king", -0.975, 0.132), ("queen", -0.968, 0.131), ("sat", -0.957, 0.957), ("on", -0.957, 0.957),
              ("throne", -0.957, 0.960), ("ants", 0.956, 0.993), ("ate", 0.974, 0.991), ("dug", 0.795, -0.681),
              ("burrow", 0.796, -0.681), ("a", -0.223, -0.636), ("armadillo", 0.988, -0.188)]
    plot = Plot("scatter", {"en": "codes"}, {"en": "c1"}, {"en": "c2"}, highlight=["king"],
                points=[{"label": w, "x": x, "y": y} for w, x, y in points])
    page = plot_page(plot, None, "en")
    said = labels(page)
    words = [said[w] for w, _, _ in points]
    ticks = written(page, [num(v) for v in (0.993, -0.681, -0.975, 0.988)])   # 0.99 twice: x's and y's largest
    assert len(ticks) == 4
    apart(words + [said["c1"], said["c2"]] + ticks)
    for word, dot in itertools.product(words, [m for m in page.get_family() if isinstance(m, Dot)]):
        assert not _overlap(word, dot, gap=0.0), word.text


def test_bar_values_stay_clear_of_the_threshold_line():
    values = [0.0301, 0.026, 0.0182, 2.09, 0.0578, 0.0445]
    plot = Plot("bars", {"en": "error"}, labels=["Mon", "Tue", "Wed", "Thu", "Fri", "Sat"], values=values,
                highlight=["Thu"], threshold=0.123)
    page = plot_page(plot, None, "en")
    line = next(m for m in page.get_family() if type(m).__name__ == "DashedLine")
    shown = written(page, [num(v) for v in values])   # 0.03, 0.03, 0.02, 2.09, 0.06, 0.04: as a grid of them writes them
    assert len(shown) == len(values) and "threshold 0.123" in labels(page)
    for value in shown:
        assert not value.get_left()[0] - 0.05 < line.get_center()[0] < value.get_right()[0] + 0.05, value.text
    apart(shown)


def test_a_heat_map_says_what_its_boxes_mean_only_as_its_story_says_it():
    trace = tiny()
    h = trace.step("H").outputs[0]
    note = {"en": "□ = the token each feature fires for most", "vi": "□ = từ mà mỗi đặc trưng kích hoạt mạnh nhất"}
    boxed = Plot("heatmap", {"en": "f"}, tensor=h, note=note)
    assert Story.from_meta({"story": Story({"en": "t"}, plots=[boxed]).to_meta()}).plots[0].note == note
    page = plot_page(boxed, trace, "vi")
    assert note["vi"] in labels(page) and not any("attends" in s for s in labels(page))
    bare = plot_page(Plot("heatmap", {"en": "f"}, tensor=h), trace, "en")
    assert not any(s.startswith("□") for s in labels(bare))


def test_the_sparse_autoencoder_heat_map_is_not_called_an_attention_map():
    plot = Story.from_meta(run("sparse_autoencoder").meta).plots[0]
    assert plot.kind == "heatmap" and set(plot.note) == {"en", "zh-Hant", "zh-Hans", "vi"}
    assert "feature" in plot.note["en"] and "attend" not in plot.note["en"]
    attention = Story.from_meta(run("self_attention").meta).plots[0]
    assert "attends" in attention.note["en"]


def gap(a: VMobject, b: VMobject) -> float:
    """How far apart ``a`` and ``b`` are: the wider of the gaps between their boxes across and up."""
    return max(max(a.get_left()[0], b.get_left()[0]) - min(a.get_right()[0], b.get_right()[0]),
               max(a.get_bottom()[1], b.get_bottom()[1]) - min(a.get_top()[1], b.get_top()[1]))


@pytest.mark.parametrize("lang", ["en", "zh-Hant", "zh-Hans", "vi"])
def test_exploding_gradients_plots_keep_every_label_clear_of_the_others(lang):
    """Its overflow marks ("SGD overflows" and "SGD + L2 overflows", at one step), the peaks that
    run off the top, the axis names, the ticks, the legend and the title: each two GAP apart (0.06
    apart, the marks read as one smudge at 480p), the marks at one step stacked, their column tied
    to its line by a leader when it stands off it."""
    trace = run("exploding_gradients")
    for plot in Story.from_meta(trace.meta).plots:
        page = plot_page(plot, trace, lang)
        legend = page.submobjects[1].legend
        inside = {id(m) for m in legend.get_family()}
        said = {s: m for s, m in labels(page).items() if id(m) not in inside}
        boxes = [*said.values(), legend]
        least = GAP * 0.98   # fit_page may shrink a page a hair (a long tick number at the left edge)
        near = [(getattr(a, "text", "legend"), getattr(b, "text", "legend"), round(gap(a, b), 3))
                for a, b in itertools.combinations(boxes, 2) if gap(a, b) < least]
        assert not near, near
        marks = [said[text(m["label"], lang)] for m in plot.marks]
        if len({m["x"] for m in plot.marks}) == 1 and len(marks) == 2:   # one column, one over the other
            assert abs(marks[0].get_left()[0] - marks[1].get_left()[0]) < 1e-6
            assert marks[1].get_bottom()[1] - marks[0].get_top()[1] >= least


def test_a_label_where_another_stands_moves_right_then_up_and_a_moved_mark_is_tied_to_its_line():
    from manim import Rectangle

    from scenes.plot_labels import GAP_X, LIFT, Item, above_area, column, pack

    def box(w):
        return Rectangle(width=w, height=0.2)

    name, mark, peak = box(2.0), column([box(1.5), box(1.8)]), box(1.0)
    assert abs(mark[1].get_bottom()[1] - mark[0].get_top()[1] - GAP) < 1e-9   # stacked, GAP apart
    items = [Item(name, 0.0), Item(mark, 1.0, line_x=0.9), Item(peak, 1.2)]
    boxes = pack(items, right=6.0)
    assert boxes[1][0] >= 2.0 + GAP_X - 1e-9 and boxes[1][1] == 0.0         # beside the name, on the floor
    assert boxes[2][0] >= boxes[1][2] + GAP_X - 1e-9 and boxes[2][1] == 0.0
    up = pack(items, right=5.0)                                              # no room beside: a shelf up
    assert up[2][1] >= up[0][3] + GAP - 1e-9 and up[2][0] == 1.2
    y1, drawn = above_area(items, 6.0, top=2.6, ceiling=3.0)
    assert abs(y1 - (3.0 - mark.height - LIFT)) < 1e-9                       # the area's top comes down
    assert max(m.get_top()[1] for m in drawn) <= 3.0 + 1e-9
    assert len(drawn) == 4 and drawn[2].get_start()[0] == 0.9                # a leader from the mark's line


def test_a_timestep_axis_names_each_step_and_its_values_are_written_one_way():
    """Three timesteps: each marked (t = 2 too); a log axis marks its powers of ten, each written
    10ⁿ, not its two ends in two formats (1.64 and 3.3e−09: 1.64 is still said where the curve ends)."""
    plot = Plot("lines", {"en": "‖g‖"}, x_label={"en": "timestep"}, x=[1, 2, 3], series={"RNN": [3.3e-9, 1e-4, 1.64]})
    said = labels(plot_page(plot, None, "en"))
    assert {"1", "2", "3"} <= set(said)
    assert {"10⁻⁸", "10⁰"} <= set(said) and not any("e-" in s or "e−" in s for s in said)


def test_probability_bars_write_every_value_the_same_way():
    plot = Plot("bars", {"en": "p(next word)"}, labels=["time", "sat", "the"], values=[0.999, 1.8e-07, 0.000014])
    said = labels(plot_page(plot, None, "en"))
    assert "0.999" in said and "< 0.001" in said
    assert not any("e-" in s or "e−" in s or s.startswith("0.0000") for s in said)
