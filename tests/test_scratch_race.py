"""Two renders (or saves) into one folder never remove each other's temporary files.

A scratch folder is made, then locked: between the two it is unlocked, and the other render's
clean-up of stale folders (a killed render's leftovers) used to take it for one and remove it, so
that render failed (exit 2). Here a forked child stops in exactly that window (its first
``files._lock`` waits for the parent's go) while the parent cleans up, or renders, into the same
folder; then the child goes on and must succeed.
"""
from __future__ import annotations

import contextlib
import importlib
import os
import shutil
import subprocess
import sys
import traceback
from pathlib import Path

import pytest

from tests.test_interrupt import fork_child, reap, wait_ready
from tests.trace_samples import mlp_trace
from tracer import files

PREFIX = ".tracer-render-"


def scratch(folder) -> list[str]:
    return sorted(n for n in os.listdir(folder) if n.startswith(PREFIX))


@contextlib.contextmanager
def paused_before_lock(body):
    """Fork a child running ``body()``; yield once it has made its temporary file or folder and
    not yet locked it. Leaving the block lets it go on; the block's value is then its wait status."""
    ready, told = os.pipe()
    go, goes = os.pipe()
    pid = fork_child()
    if pid == 0:  # the child: never returns into pytest
        code = 1
        try:
            os.close(ready)
            os.close(goes)
            real = files._lock

            def lock(fd):
                files._lock = real
                os.write(told, b"!")
                os.read(go, 1)  # until the parent's go
                real(fd)
            files._lock = lock
            body()
            code = 0
        except BaseException:
            traceback.print_exc()
        finally:
            os._exit(code)
    os.close(told)
    os.close(go)
    result: dict[str, int] = {}
    try:
        wait_ready(ready, pid)
        yield result
        os.write(goes, b"!")
        result["status"] = reap(pid)
    finally:
        os.close(ready)
        os.close(goes)
        if "status" not in result:  # the parent failed first: do not leave the child waiting
            os.kill(pid, 9)
            os.waitpid(pid, 0)


def succeeded(status: int) -> bool:
    return os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0


def test_the_clean_up_keeps_a_fresh_scratch_folder_not_yet_locked(tmp_path):
    def body():
        with files.scratch_dir(tmp_path, PREFIX) as d:
            (d / "part000.mp4").write_bytes(b"partial")
            (tmp_path / "done").write_text(d.name)

    with paused_before_lock(body) as child:
        fresh = scratch(tmp_path)
        assert len(fresh) == 1
        assert files.remove_stale(tmp_path, PREFIX) == []  # the race: it used to remove it here
        assert scratch(tmp_path) == fresh
    assert succeeded(child["status"])
    assert (tmp_path / "done").read_text() == fresh[0]  # the child worked in the folder it made
    assert scratch(tmp_path) == []


def test_a_save_keeps_the_fresh_temporary_file_of_another_save_not_yet_locked(tmp_path):
    target = tmp_path / "t.trace"
    trace = mlp_trace()
    with paused_before_lock(lambda: trace.save(target)) as child:
        fresh = [n for n in os.listdir(tmp_path) if n.endswith(".tmp")]
        trace.save(target)  # the same target: its clean-up sees the other's temporary file
        assert [n for n in os.listdir(tmp_path) if n.endswith(".tmp")] == fresh and len(fresh) == 1
    assert succeeded(child["status"])
    assert os.listdir(tmp_path) == ["t.trace"]


def test_two_renders_into_one_folder_both_succeed_whatever_the_interleaving(tmp_path, monkeypatch):
    render = importlib.import_module("scenes.render")  # the module (scenes.render is also a function)

    def fake_still(plan, chunk, path, quality, fps, still=False, on_beat=None):
        path.write_bytes(b"a still")  # no Manim: only the folder handling is under test
        return path
    monkeypatch.setattr(render, "_render_chunk", fake_still)
    with paused_before_lock(lambda: render.render(mlp_trace(), fmt="png", output=tmp_path / "a.png")) as child:
        out = render.render(mlp_trace(), fmt="png", output=tmp_path / "b.png")  # all of it, meanwhile
        assert out.read_bytes() == b"a still" and len(scratch(tmp_path)) == 1  # the other's, kept
    assert succeeded(child["status"])
    assert sorted(os.listdir(tmp_path)) == ["a.png", "b.png"]


def test_leftovers_of_ended_processes_are_removed_and_those_of_running_ones_kept(tmp_path):
    pid = fork_child()
    if pid == 0:
        os._exit(0)
    reap(pid)  # ended: its pid names no process now
    for name in (f"{PREFIX}{pid}-abcd1234", f"{PREFIX}abcd_678", f"{PREFIX}{os.getpid()}-abcd1234",
                 f"{PREFIX}{os.getppid()}-abcd1234"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "part000.mp4").write_bytes(b"partial")
    (tmp_path / f"{PREFIX}not-ours").mkdir()  # not a name tracer makes
    removed = files.remove_stale(tmp_path, PREFIX)
    assert sorted(removed) == sorted([f"{PREFIX}{pid}-abcd1234", f"{PREFIX}abcd_678"])  # no pid: an older tracer's
    assert scratch(tmp_path) == sorted([f"{PREFIX}{os.getpid()}-abcd1234", f"{PREFIX}{os.getppid()}-abcd1234",
                                        f"{PREFIX}not-ours"])


def test_a_maker_whose_fresh_folder_is_removed_anyway_makes_another(tmp_path, monkeypatch):
    """A process that does not know the pid (another machine sharing the folder) may still remove
    a fresh one: the maker sees it gone once it holds the lock, and makes another."""
    real = files._lock
    gone: list[str] = []

    def lock(fd):
        if not gone:
            gone.extend(scratch(tmp_path) or [n for n in os.listdir(tmp_path) if n.endswith(".tmp")])
            path = tmp_path / gone[0]
            shutil.rmtree(path) if path.is_dir() else path.unlink()
        real(fd)
    monkeypatch.setattr(files, "_lock", lock)
    with files.scratch_dir(tmp_path, PREFIX) as d:
        assert d.is_dir() and d.name != gone[0] and scratch(tmp_path) == [d.name]
        (d / "part000.mp4").write_bytes(b"partial")
    assert scratch(tmp_path) == []
    gone.clear()
    target = tmp_path / "t.trace"
    mlp_trace().save(target)
    assert gone[0].endswith(".tmp") and os.listdir(tmp_path) == ["t.trace"]
    assert len(files.open_regular(target).read()) > 0


@pytest.mark.slow
def test_two_cli_renders_at_once_into_one_folder_both_exit_0(tmp_path):
    pytest.importorskip("manim")
    from tests import scene_traces as st

    st.mlp().save(tmp_path / "mlp.trace")
    st.attention().save(tmp_path / "attention.trace")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(__file__).parents[1]),
                                                        os.environ.get("PYTHONPATH", "")])}
    runs = [subprocess.Popen([sys.executable, "-m", "tracer.cli", "render", str(tmp_path / f"{name}.trace"),
                              "--steps", "0..2", "--fps", "2", "-q", "l", "-o", str(tmp_path / f"{name}.mp4")],
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             env=env, cwd=tmp_path)
            for name in ("mlp", "attention")]
    outputs = [r.communicate(timeout=600)[0].decode(errors="replace") for r in runs]
    assert [r.returncode for r in runs] == [0, 0], outputs
    assert (tmp_path / "mlp.mp4").stat().st_size > 0 and (tmp_path / "attention.mp4").stat().st_size > 0
    assert scratch(tmp_path) == []
