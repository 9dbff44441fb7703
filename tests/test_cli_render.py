"""``tracer render`` through click's CliRunner: a saved trace becomes a still or a video; every
mistake is one line ``error: ...`` with exit code 2 and no output file."""
from __future__ import annotations

import subprocess
import sys

import pytest
from click.testing import CliRunner

pytest.importorskip("manim")

from tests import scene_traces as st  # noqa: E402
from tracer.cli_render import render  # noqa: E402


@pytest.fixture(autouse=True)
def elsewhere(tmp_path, monkeypatch):
    """Run in a temporary folder: a default output name never lands in the repository."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="module")
def mlp_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("render") / "mlp.trace"
    st.mlp().save(path)
    return path


def run(*args):
    return CliRunner().invoke(render, [str(a) for a in args])


def test_renders_a_still(mlp_file, tmp_path):
    out = tmp_path / "mlp.png"
    result = run(mlp_file, "--format", "png", "-o", out, "--lang", "vi")
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1] == str(out)
    assert out.read_bytes()[:4] == b"\x89PNG"


def test_renders_a_window_of_steps_as_video(mlp_file, tmp_path):
    out = tmp_path / "first.mp4"
    result = run(mlp_file, "--steps", "0..4", "--scene", "backprop", "--fps", "2", "-o", out)
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 5_000
    assert "rendering" in result.output           # the progress bar (stderr is mixed in)


@pytest.mark.parametrize("args, message", [
    (["{missing}"], "no such file"),
    (["{trace}", "--steps", "7..2"], "--steps"),
    (["{trace}", "--steps", "1..3", "--depth", "0"], "no step of that range"),
    (["{trace}", "-o", "{nodir}/x.mp4"], "there is no folder"),
    (["{junk}"], "not a trace file"),
])
def test_errors_are_one_line_exit_2(mlp_file, tmp_path, args, message):
    junk = tmp_path / "junk.trace"
    junk.write_text("not a zip")
    names = {"missing": tmp_path / "missing.trace", "trace": mlp_file, "nodir": tmp_path / "nodir", "junk": junk}
    result = run(*[a.format(**names) for a in args])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and message in lines[0], result.output
    assert "Traceback" not in result.output
    assert not list(tmp_path.glob("*.mp4")) and not list(tmp_path.glob(".tracer-render-*"))


def test_bad_choices_are_usage_errors(mlp_file):
    for args in (["--scene", "cartoon"], ["-q", "z"], ["--format", "avi"], ["--jobs", "0"], ["--lang", "fr"]):
        result = run(mlp_file, *args)
        assert result.exit_code == 2 and "Invalid value" in result.output


def test_importing_the_command_does_not_import_manim():
    code = "import sys, tracer.cli_render; print('manim' in sys.modules, 'scenes' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def test_registered_in_the_tracer_command(mlp_file, tmp_path):
    from tracer.cli import main

    out = tmp_path / "via_main.png"
    result = CliRunner().invoke(main, ["render", str(mlp_file), "--format", "png", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.exists()
