"""Walkthroughs rendered for real (480p, a small frame rate): each curated one and the generic
player render; what ends up on screen is the trace's numbers; every sum shown adds up; gradients
reuse the forward layout; ``--jobs 2`` makes the same video; stills match reference images; LaTeX
is never called; a failed render leaves no file behind.

Regenerate the reference images (after a deliberate change of the look) with
``python -m tests.test_scenes_render --update``.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("manim")

from scenes import style  # noqa: E402
from scenes.curated import build_plan  # noqa: E402
from scenes.render import render, render_scene  # noqa: E402
from tests import scene_traces as st  # noqa: E402
from tracer.display import fmt  # noqa: E402
from tracer.errors import TracerError  # noqa: E402
from tracer.explain import tensor_format  # noqa: E402
from tracer.explain.lines import parse_line  # noqa: E402
from tracer.explain.check import check_line  # noqa: E402

FPS = 4
REFERENCE = Path(__file__).parent / "reference"
WALKTHROUGHS = {
    "autoencoder": (st.autoencoder, "auto"),
    "attention": (st.attention, "auto"),
    "backprop": (st.mlp, "auto"),
    "sparse_autoencoder": (st.sparse_autoencoder, "auto"),
    "generic": (st.mlp, "generic"),
}
pytestmark = pytest.mark.slow  # every walkthrough rendered for real: minutes
needs_ffmpeg = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg is not installed")


def duration(path: Path) -> float:
    out = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "json", str(path)],
                         capture_output=True, text=True, check=True).stdout
    return float(json.loads(out)["format"]["duration"])


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """Each walkthrough rendered once: its plan, its scene (the stage knows what was drawn), its file."""
    base = tmp_path_factory.mktemp("walkthroughs")
    out = {}
    for name, (build, scene) in WALKTHROUGHS.items():
        plan = build_plan(build(), scene=scene)
        plan.hints["audit"] = True
        path = base / f"{name}.mp4"
        out[name] = (plan, render_scene(plan, plan.window, path, "l", FPS), path)
    return out


@needs_ffmpeg
@pytest.mark.parametrize("name", list(WALKTHROUGHS))
def test_each_walkthrough_renders(rendered, name):
    plan, scene, path = rendered[name]
    assert plan.kind == name
    assert path.stat().st_size > 20_000
    assert duration(path) > 2.0 * len(plan.step_beats)       # every step takes its time


@pytest.mark.parametrize("name", list(WALKTHROUGHS))
def test_numbers_on_screen_are_the_trace_values_rounded(rendered, name):
    """At the end of every step, every number each grid shows is its tensor's value under the
    shared rounding rule, and it is visible."""
    plan, scene, _ = rendered[name]
    audits = scene.stage.audits
    assert len(audits) == len(plan.step_beats)
    checked = 0
    for shown in audits:
        for tid, lane, idx, text, alpha in shown:
            record = plan.trace.tensors[tid]
            assert text == fmt(np.asarray(record.data)[idx], tensor_format(plan.trace, tid), "−"), (record.name, lane, idx)
            assert alpha > 0.99, (record.name, lane, idx)
            checked += 1
    assert checked >= 10 * len(audits)


def check_sum(line: str) -> bool | None:
    """A line the scene said, redone from its printed numbers (:func:`tracer.explain.arith.check_line`):
    True if every part of it holds, None if it is no arithmetic (a note, a caption)."""
    verdicts = []
    for part in line.split(";  "):
        try:
            problems, results = check_line(part)
        except TracerError:
            continue  # words, not arithmetic
        if results or parse_line(part).comparison:
            verdicts.append(not problems)
    return all(verdicts) if verdicts else None


@pytest.mark.parametrize("name", list(WALKTHROUGHS))
def test_the_arithmetic_shown_adds_up(rendered, name):
    _, scene, _ = rendered[name]
    results = [(line, check_sum(line)) for line in scene.stage.said]
    checked = [(line, ok) for line, ok in results if ok is not None]
    assert len(checked) >= 5, scene.stage.said
    assert all(ok for _, ok in checked), [line for line, ok in checked if not ok]


def test_the_sums_checker_itself():
    assert check_sum("1×3 + 2×(−1) = 1") and check_sum("4 / 1.41 ≈ 2.83") and check_sum("0.11×1 + 0.45×2 = 1.01")
    assert check_sum("1×3 + 2×4 = 12") is False and check_sum("0.33×3 = 1.00") is False
    assert check_sum("e^(1 − 2) = 0.37") and check_sum("−1 ≤ 0 → 0") and check_sum("dZ = 2×0.50 = 1")
    assert check_sum("… the same for every entry") is None


def _whole(area, lo, hi) -> bool:
    return bool((lo >= area[0] - 1e-6).all() and (hi <= area[1] + 1e-6).all())


def _fits(boxes, zoom: float = style.MAX_ZOOM) -> bool:
    """The boxes fit together in the work area of the camera zoomed out to ``zoom`` (by default
    as far as it goes)."""
    boxes = list(boxes)
    if not boxes:
        return False
    lo = np.min([b[0] for b in boxes], axis=0)
    hi = np.max([b[1] for b in boxes], axis=0)
    return bool((hi - lo <= np.array(style.WIDEST_ROOM) / style.MAX_ZOOM * zoom).all())


@pytest.mark.parametrize("name", list(WALKTHROUGHS))
def test_the_camera_shows_each_steps_grids_whole_and_nothing_cut(rendered, name):
    """At the end of every step, every grid the step reads or writes lies whole inside the frame,
    below the header strip and above the caption band (when they fit in one view at all), and no
    grid on show is cut by an edge, hidden under the header or showing over the caption band."""
    plan, scene, _ = rendered[name]
    framings = scene.stage.framings
    assert len(framings) == len(plan.step_beats)
    checked = 0
    for beat, f in zip(plan.step_beats, framings):
        area, frame = f["area"], f["frame"]
        assert area[0][1] > frame[0][1] and area[1][1] < frame[1][1]   # the bands are left out
        work = list(f["work"].values())
        assert work or beat.step.phase == "update" or not beat.step.outputs, beat.step.name
        wrote = {tid: f["work"][tid] for tid in beat.step.outputs if tid in f["work"]}
        # all it read and wrote when that fits at a legible zoom, else what it wrote when that fits
        whole = f["work"] if work and _fits(work, style.LEGIBLE_ZOOM) else wrote if _fits(wrote.values()) else {}
        for tid, (lo, hi) in whole.items():
            assert _whole(area, lo, hi), (beat.step.name, plan.trace.tensors[tid].name)
            checked += 1
        for lo, hi in f["shown"]:
            inside = _whole(area, lo, hi)
            outside = (lo >= frame[1]).any() or (hi <= frame[0]).any()
            assert inside or outside, (beat.step.name, lo, hi, area)
    assert checked >= len(framings)


def test_gradients_reuse_the_forward_layout(rendered):
    plan, scene, _ = rendered["autoencoder"]
    stage = scene.stage
    backward_layers = [b.step for b in plan.step_beats if b.step.phase == "backward" and b.step.op == "linear"]
    assert len(backward_layers) == 4
    for step in backward_layers:
        forward = stage.layouts[step.grad_of]
        W = plan.trace.steps[step.grad_of].inputs[0]
        assert stage.slot(step.grad_map[W]).grid is forward["a"]          # dW under W
        assert stage.slot(step.grad_map[W]).lane == "grad"
        b = plan.trace.steps[step.grad_of].inputs[2]
        assert stage.slot(step.grad_map[b]).lane == "bias_grad"           # db under b
    # the cascade: each layer's result sits under the one before, columns aligned
    outs = [stage.layouts[b.step.id]["out"] for b in plan.step_beats if b.step.op == "linear" and b.step.phase == "forward"]
    tops = [g.get_top()[1] for g in outs]
    assert tops == sorted(tops, reverse=True)
    assert len({round(g.body.get_left()[0], 3) for g in outs}) == 1


@needs_ffmpeg
def test_two_jobs_make_the_same_video(rendered, tmp_path):
    plan, _, one = rendered["backprop"]
    ticks = []
    two = render(plan.trace, jobs=2, output=tmp_path / "two.mp4", fps=FPS, progress=lambda d, n: ticks.append((d, n)))
    assert abs(duration(two) - duration(one)) < 2.0 / FPS
    assert ticks[-1] == (len(plan.beats), len(plan.beats))


@needs_ffmpeg
@pytest.mark.parametrize("fmt_, head", [("gif", b"GIF8"), ("webm", b"\x1aE\xdf\xa3"), ("png", b"\x89PNG")])
def test_other_formats(tmp_path, fmt_, head):
    out = render(st.mlp(), steps="0..4", fmt=fmt_, output=tmp_path / f"mlp.{fmt_}", fps=2)
    assert out.read_bytes()[:4] == head
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"mlp.{fmt_}"]    # nothing left behind


def test_a_failed_render_leaves_no_file_and_keeps_the_old_one(tmp_path, monkeypatch):
    from scenes import players

    def broken(stage, step):
        raise TracerError("boom in a player")

    out = tmp_path / "mlp.mp4"
    out.write_bytes(b"an older video")
    monkeypatch.setitem(players.FORWARD, "relu", broken)
    with pytest.raises(TracerError, match="boom"):
        render(st.mlp(), output=out, fps=2)
    assert out.read_bytes() == b"an older video"
    assert [p.name for p in tmp_path.iterdir()] == ["mlp.mp4"]


def test_bad_arguments(tmp_path):
    for kwargs, message in [({"quality": "x"}, "quality"), ({"fmt": "avi"}, "format"), ({"jobs": 0}, "jobs"),
                            ({"lang": "fr"}, "language"), ({"output": tmp_path / "no" / "x.mp4"}, "there is no folder")]:
        with pytest.raises(TracerError, match=message):
            render(st.mlp(), **kwargs)


def test_latex_is_never_invoked(tmp_path, monkeypatch):
    import manim
    import manim.utils.tex_file_writing as texw

    calls = []

    def no_latex(*args, **kwargs):
        calls.append(args)
        raise AssertionError("LaTeX was invoked")

    for name in ("tex_to_svg_file", "compile_tex", "generate_tex_file"):
        if hasattr(texw, name):
            monkeypatch.setattr(texw, name, no_latex)
    for cls in (manim.MathTex, manim.Tex, manim.SingleStringMathTex):
        monkeypatch.setattr(cls, "__init__", no_latex)
    out = render(st.attention(), fmt="png", output=tmp_path / "attention.png")
    assert out.exists()
    assert calls == []       # installed or not, LaTeX was never called (nor an error about it swallowed)


# ---- last-frame comparisons ------------------------------------------------------------------
STILLS = {
    "autoencoder_layer1": dict(build=st.autoencoder, steps="0..4", lang="en"),
    "attention_weights": dict(build=st.attention, steps="0..7", lang="en"),
    "backprop_zh_hant": dict(build=st.mlp, steps=None, lang="zh-Hant"),
}


def still(name: str, folder: Path) -> Path:
    spec = STILLS[name]
    return render(spec["build"](), steps=spec["steps"], lang=spec["lang"], fmt="png",
                  output=folder / f"{name}.png")


def small(path: Path) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.open(path).convert("L").resize((427, 240), Image.LANCZOS), dtype=float)


@pytest.mark.parametrize("name", list(STILLS))
def test_still_matches_reference(tmp_path, name):
    got = small(still(name, tmp_path))
    want = small(REFERENCE / f"{name}.png")
    assert np.abs(got - want).mean() < 2.5, name


if __name__ == "__main__" and "--update" in sys.argv:
    from PIL import Image

    REFERENCE.mkdir(exist_ok=True)
    for key in STILLS:
        path = still(key, Path("/tmp"))
        Image.open(path).convert("L").resize((427, 240), Image.LANCZOS).save(REFERENCE / f"{key}.png", optimize=True)
        print("wrote", REFERENCE / f"{key}.png")
