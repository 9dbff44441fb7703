"""Notebooks: a Trace and a Step display as escaped HTML (the step table; grids with their axis
labels, formula, narration and a working); ``trace.still`` / ``trace.video`` render on demand and
return IPython's Image / Video; docs/lecture.ipynb runs top to bottom under nbclient."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

import tracer
from tracer.errors import TracerError

NOTEBOOK = Path(__file__).parents[1] / "docs" / "lecture.ipynb"
HOSTILE = "<script>alert('x')</script>"


def layer() -> tracer.Trace:
    with tracer.record() as trace:
        W = tracer.param([[1, -1, 0], [0, 1, 1]], name="W")
        X = tracer.tensor([[2, 1], [1, 0], [0, 3]], name="X")
        tracer.relu(tracer.linear(W, X, tracer.param([0, -1], name="b"), name="Z"), name="H")
    return trace


def test_trace_html_is_the_step_table():
    trace = layer()
    html = trace._repr_html_()
    assert html.count("<tr>") == 1 + len(trace.steps)  # the head, then one row per step
    assert "Z.matmul" in html and "Z (2, 2)" in html and f"{len(trace.steps)} steps" in html


def test_step_html_shows_grids_labels_formula_narration_and_working():
    trace = layer()
    html = trace.step("Z")._repr_html_()
    for grid in ("<b>W</b> (2, 3)", "<b>X</b> (3, 2)", "<b>b</b> (2,)", "<b>Z</b> (2, 2)"):
        assert grid in html
    assert "Z = W · X + b" in html and "A linear layer" in html
    assert "1×2 − 1×1 + 0×0 + 0×1 = 1" in html  # Z[0, 0] = 1·2 − 1·1 + 0·0 + 0 (the bias) = 1, by hand
    assert "−1" in html  # numbers as every viewer prints them, with a true minus


def test_axis_labels_become_row_and_column_heads():
    with tracer.record() as trace:
        x = tracer.tensor([[1.0, 2.0]], name="x")
        tracer.relu(x, name="h")
    trace.tensors[trace.steps[0].outputs[0]].labels = (("row0",), ("left", "right"))
    html = trace.steps[0]._repr_html_()
    assert ">row0</th>" in html and ">left</th>" in html and ">right</th>" in html


def test_hostile_names_are_escaped():
    with tracer.record(title=HOSTILE) as trace:
        x = tracer.tensor([[1.0, -2.0]], name=HOSTILE)
        tracer.relu(x, name=HOSTILE + "&amp;")
    trace.tensors[trace.steps[0].outputs[0]].labels = ((HOSTILE,), ("<marquee>", "<i>"))
    for html in (trace._repr_html_(), trace.steps[0]._repr_html_()):
        assert "<script>" not in html and "<marquee>" not in html and "<i>" not in html
        assert "&lt;script&gt;" in html
    assert "&amp;amp;" in trace._repr_html_()


def test_a_long_trace_shows_its_first_rows():
    with tracer.record() as trace:
        x = tracer.tensor([1.0], name="x")
        for _ in range(205):
            x = x + 1
    html = trace._repr_html_()
    assert html.count("<tr>") == 201 and "5 more steps" in html


def test_without_ipython_a_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "IPython", None)
    with pytest.raises(TracerError, match="needs IPython: pip install 'tracer\\[lecture\\]'"):
        layer().still("H")


def test_still_and_video_render_on_demand():
    pytest.importorskip("manim")
    pytest.importorskip("IPython")
    trace = layer()
    image = trace.still("H")
    assert type(image).__name__ == "Image" and image.data[:4] == b"\x89PNG"
    clip = trace.video(steps="4..4", fps=2)  # H, the ReLU (the linear layer is 0..3)
    assert type(clip).__name__ == "Video" and b"ftyp" in clip.data[:16]
    assert "<video" in clip._repr_html_()


@pytest.mark.slow  # starts a Jupyter kernel: about 20 s
def test_the_example_notebook_runs(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    pytest.importorskip("manim")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbclient.NotebookClient(nb, timeout=240, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [c.outputs for c in nb.cells if c.cell_type == "code"]
    assert all(not any(o.output_type == "error" for o in out) for out in outputs)
    table, step, working, blanks, still, video = (out[-1]["data"] for out in outputs)
    assert "<table" in table["text/html"] and "<b>W</b> (2, 3)" in step["text/html"]
    assert "0×1 + 1×0 + 1×3 - 1×1 = 2" in working["text/plain"]  # Z[1, 1] = 0·1 + 1·0 + 1·3 − 1 = 2
    assert "('a'," in blanks["text/plain"] and (tmp_path / "layer_sheet.pdf").read_bytes()[:5] == b"%PDF-"
    assert "image/png" in still and "<video" in video["text/html"]


def test_a_steps_formula_and_narration_sign_with_the_grids_minus():
    """The grids and the working write −; the trace's own text (the narration's shape [-1, 1]) too."""
    with tracer.record() as trace:
        tracer.tensor([[1.0, -2.0, 4.0]], name="x").reshape(-1, 1, name="y")
    html = trace.steps[0]._repr_html_()
    assert trace.steps[0].narration.count("[-1, 1]") == 1
    assert "[−1, 1]" in html and "[-1, 1]" not in html
    assert "−" in html.split("<table")[1]   # a grid's negative cell, as before
