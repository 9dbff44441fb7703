"""The by-hand layout of a product ``out = a @ b``, for the products of the examples (large ones elided):
each column of the result sits under its column of ``b`` (above it) and each row beside its row of
``a`` (left of it), even where a weight's cells carry a gradient band or hold wider numbers than
``b``'s, and when ``b`` is a grid already on the canvas."""
from __future__ import annotations

import pytest

pytest.importorskip("manim")

from manim import MovingCameraScene, Rectangle, tempconfig  # noqa: E402
from scenes import style  # noqa: E402
from scenes.canvas import Canvas  # noqa: E402
from scenes.players.concat import fits  # noqa: E402

from .example_runs import run  # noqa: E402


class Skipped(MovingCameraScene):
    skipping = True


@pytest.fixture
def scene(tmp_path):
    with tempconfig({"media_dir": str(tmp_path), "dry_run": True, "verbosity": "ERROR", "progress_bar": "none"}):
        yield Skipped()


def centres(grid, axis: int) -> list[float]:
    """The x (``axis`` 0) or y (1) centres of ``grid``'s drawn columns or rows."""
    return sorted({round(float(box.get_center()[axis]), 6) for box in grid.cells.values()})


def products(name: str):
    """The forward products of 2-D tensors of example ``name``, one per shape."""
    trace, seen = run(name), set()
    for s in trace.steps:
        if s.phase != "forward" or s.op not in ("matmul", "linear") or len(s.inputs) < 2:
            continue
        a, b = (trace.tensors[t] for t in s.inputs[:2])
        if len(a.shape) == len(b.shape) == 2 and (a.shape, b.shape) not in seen:
            seen.add((a.shape, b.shape))
            yield trace, s


def assert_aligned(grids) -> None:
    ga, gb, gout = grids["a"], grids["b"], grids["out"]
    assert centres(gb, 0) == pytest.approx(centres(gout, 0), abs=1e-4)    # columns under b's columns
    assert centres(ga, 1) == pytest.approx(centres(gout, 1), abs=1e-4)    # rows beside a's rows


@pytest.mark.parametrize("name", ["vanishing_gradients", "exploding_gradients", "transformer_block", "word_autoencoder"])
def test_a_products_result_lines_up_with_its_operands(scene, name):
    elided = []
    for trace, s in products(name):
        for bands in (False, True):   # with gradient bands (a weight's cells are taller and wider) and without
            canvas = Canvas(scene, trace, bands=bands)
            bias = s.inputs[2] if s.op == "linear" and len(s.inputs) > 2 else None
            grids, _ = canvas.product(s.inputs[0], s.inputs[1], s.outputs[0], bias=bias, ones=bias is not None)
            assert_aligned(grids)
            elided.append(grids["out"].elided)
    assert any(elided) == (name != "transformer_block")   # its products are small: drawn whole


def test_a_result_under_an_operand_already_drawn_lines_up_with_it(scene):
    trace, s = next(products("word_autoencoder"))   # W1 (2 × 14) @ X (14 one-hot words)
    canvas = Canvas(scene, trace, bands=True)
    above = canvas.fresh(s.inputs[1])     # b on the canvas already (the last layer's output)
    canvas.register(above)
    grids, _ = canvas.product(s.inputs[0], s.inputs[1], s.outputs[0], old_b=above,
                              bias=s.inputs[2] if len(s.inputs) > 2 else None, ones=len(s.inputs) > 2)
    assert_aligned(grids)


def test_players_and_the_canvas_measure_one_view_alike(scene):
    canvas = Canvas(scene, run("word_autoencoder"))
    w, h = style.WIDEST_ROOM   # the camera zoomed out fully (style.MAX_ZOOM)
    assert w > 1.5 * (style.FRAME_WIDTH - 0.5)   # players measured a view at zoom 1.35: copies drawn needlessly
    for dw, dh, ok in [(-0.01, -0.01, True), (0.01, -0.01, False), (-0.01, 0.01, False)]:
        block = Rectangle(width=w + dw, height=h + dh, stroke_width=0)
        assert fits([block]) is ok and canvas.in_one_view([block]) is ok
