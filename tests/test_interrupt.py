"""Saves and renders interrupted by signals: the target is always whole, and no temporary file
outlives the next save (SIGKILL) or even the interrupted one (SIGTERM, SIGINT).

Each save runs in a forked child (tracer already imported, so a child costs milliseconds). Most
children stop themselves at a chosen point of the save (before the first member, between members,
before the rename) and wait there to be killed, so every kill lands mid-save by construction;
others run free and are killed after a random delay, wherever they are.

A child starts with SIGINT and SIGTERM at their usual actions: a shell without job control (``cmd &``
in a script, nohup) starts its background jobs with SIGINT ignored, and a child forked from such a
pytest would sleep through the parent's SIGINT forever. Every wait on a child has a deadline: a child
that does not answer is killed and the test fails, saying where it was waiting.

A paused child waits on its signal with :func:`await_signal`, never ``time.sleep``: CPython runs a
signal's handler between bytecodes, and its sleep does not look for a handler already due before it
starts, so a signal landing between the child's ``!`` and its sleep (a loaded machine preempting the
child right there) was handled only when the sleep ran out, 60 s later: after the parent's deadline.
"""
from __future__ import annotations

import os
import random
import select
import signal
import threading
import time
from typing import Callable

import numpy as np
import pytest

import tracer
from tracer import files
from tracer.zipstore import StoredZipWriter

PAUSES = ["first member", "middle member", "last member", "central directory", "rename"]
DEADLINE = 60.0  # seconds a child gets to answer (it takes milliseconds): a safety net, not a measure


def fork_child() -> int:
    """``os.fork()``, with SIGINT and SIGTERM in the child as in a foreground process, whatever this
    one inherited (a background job of a shell without job control ignores SIGINT)."""
    pid = os.fork()
    if pid == 0:
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
    return pid


def _give_up(pid: int, what: str) -> None:
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    pytest.fail(f"child {pid} did not {what} within {DEADLINE:.0f} s: killed", pytrace=False)


def wait_ready(ready: int, pid: int) -> None:
    """Read the child's ``!`` from the pipe ``ready``: it reached its pause (or its loop)."""
    if not select.select([ready], [], [], DEADLINE)[0]:
        _give_up(pid, "reach its pause")
    assert os.read(ready, 1) == b"!", "the child ended before its pause"


def reap(pid: int) -> int:
    """The wait status of the child ``pid``, once it has ended."""
    end = time.monotonic() + DEADLINE
    while time.monotonic() < end:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return status
        time.sleep(0.01)
    _give_up(pid, "end after its signal")
    raise AssertionError  # not reached: pytest.fail raises


def await_signal(ready: int) -> None:
    """Write ``!`` to ``ready`` and wait for the parent's signal: its handler runs (a SIGKILL ends the
    process) however early the signal came. The signal module's C handler writes to the wakeup fd
    whenever it catches a signal, so select() returns even for one caught before it was called."""
    woken, wake = os.pipe()
    os.set_blocking(wake, False)
    signal.set_wakeup_fd(wake)
    os.write(ready, b"!")
    while True:
        select.select([woken], [], [])  # the handler runs as this call returns
        os.read(woken, 512)


def trace_of(n: int) -> tracer.Trace:
    """A few MB: saving takes long enough for a kill to land in the middle of it."""
    rng = np.random.default_rng(n)
    with tracer.record(title=f"interrupted {n}") as trace:
        h = tracer.tensor(rng.normal(size=(200, 200)), name="x")
        for k in range(n):
            h = tracer.tanh(h * 0.5, name=f"h{k}")
    return trace


def temps(folder) -> list[str]:
    return sorted(n for n in os.listdir(folder) if n.endswith(".tmp") or n.startswith(".tracer-render-"))


def _pause_at(pause: str, n_members: int, ready: int) -> None:
    """Make this (child) process stop at ``pause`` in its next save, telling the parent first."""
    if pause == "rename":
        real = os.replace

        def replace(src, dst):
            await_signal(ready)
            real(src, dst)
        files.os.replace = replace
        return
    stop = {"first member": 0, "middle member": n_members // 2, "last member": n_members - 1,
            "central directory": n_members}[pause]
    add, close = StoredZipWriter.add, StoredZipWriter.close
    count = [0]

    def counted_add(self, name, parts):
        if count[0] == stop:
            await_signal(ready)
        count[0] += 1
        add(self, name, parts)

    def counted_close(self):
        if count[0] == stop:
            await_signal(ready)
        close(self)
    StoredZipWriter.add, StoredZipWriter.close = counted_add, counted_close


def interrupted_save(trace: tracer.Trace, target, sig: int, pause: str | None, delay: float = 0.0,
                     before: Callable[[], None] | None = None) -> int:
    """Fork a child saving ``trace`` to ``target`` (in a loop when ``pause`` is None), send it
    ``sig`` once it has paused (or after ``delay``), and return its wait status. The child calls
    ``before()`` first, if given."""
    ready, told = os.pipe()
    pid = fork_child()
    if pid == 0:  # the child: never returns into pytest
        code = 0
        try:
            os.close(ready)
            if before is not None:
                before()
            if pause is not None:
                _pause_at(pause, len(trace.tensors) + 1, told)
                trace.save(target)
            else:
                os.write(told, b"!")
                while True:
                    trace.save(target)
        except SystemExit as e:  # SIGTERM, after the save cleaned up
            code = e.code if isinstance(e.code, int) else 1
        except KeyboardInterrupt:  # SIGINT, likewise
            code = 130
        finally:
            os._exit(code)
    os.close(told)
    wait_ready(ready, pid)
    os.close(ready)
    time.sleep(delay)
    os.kill(pid, sig)
    return reap(pid)


@pytest.fixture(scope="module")
def traces():
    old, new = trace_of(40), trace_of(60)
    old.steps, new.steps  # noqa: B018 (formulas filled in before forking)
    return old, new


def check_whole(target, traces) -> None:
    again = tracer.load(target)  # every array's checksum is checked on load
    assert len(again.steps) in {len(t.steps) for t in traces}
    assert again.tensors["t0"].data.shape == (200, 200)


def test_twenty_sigkills_leave_the_target_whole_and_the_next_save_leaves_no_temporary_file(traces, tmp_path):
    old, new = traces
    target = tmp_path / "t.trace"
    old.save(target)
    rng = random.Random(0)
    for k in range(20):
        pause = PAUSES[k % len(PAUSES)] if k < 10 else None
        status = interrupted_save(new, target, signal.SIGKILL, pause, delay=rng.uniform(0, 0.03))
        assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
        check_whole(target, traces)
        left = temps(tmp_path)  # what this kill left; each save first clears what the last one left
        assert len(left) == 1 if pause is not None else len(left) <= 1, (k, pause, left)
    old.save(target)
    assert temps(tmp_path) == [] and os.listdir(tmp_path) == ["t.trace"]
    check_whole(target, traces)


@pytest.mark.parametrize("sig, code", [(signal.SIGTERM, 128 + signal.SIGTERM), (signal.SIGINT, 130)])
def test_sigterm_and_sigint_during_a_save_leave_no_temporary_file(traces, tmp_path, sig, code):
    old, new = traces
    target = tmp_path / "t.trace"
    old.save(target)
    for pause in PAUSES[:4] if sig == signal.SIGTERM else PAUSES[1:2]:
        status = interrupted_save(new, target, sig, pause)
        assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == code, pause
        assert temps(tmp_path) == [], pause  # cleaned up by the interrupted save itself
        assert len(tracer.load(target).steps) == len(old.steps)


def test_a_signal_that_wakes_no_system_call_of_the_main_thread_still_ends_a_paused_save(traces, tmp_path):
    # What the race between the child's "!" and a sleep did, made certain: the main thread blocks
    # SIGTERM, so the kernel hands it to another thread, whose C handler makes the main thread's
    # handler due without interrupting its wait. (A wait by time.sleep(60) sat out the deadline.)
    def main_thread_blocks_sigterm() -> None:
        threading.Thread(target=threading.Event().wait, daemon=True).start()  # SIGTERM goes here
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})

    old, new = traces
    target = tmp_path / "t.trace"
    old.save(target)
    status = interrupted_save(new, target, signal.SIGTERM, "middle member", before=main_thread_blocks_sigterm)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 128 + signal.SIGTERM
    assert temps(tmp_path) == [] and len(tracer.load(target).steps) == len(old.steps)


def test_a_save_does_not_remove_the_temporary_file_of_a_save_still_running(traces, tmp_path):
    old, new = traces
    target = tmp_path / "t.trace"
    ready, told = os.pipe()
    pid = fork_child()
    if pid == 0:
        try:
            _pause_at("middle member", len(new.tensors) + 1, told)
            new.save(target)
        finally:
            os._exit(0)
    os.close(told)
    wait_ready(ready, pid)
    running = temps(tmp_path)
    old.save(target)  # another save to the same target, while the first is paused mid-write
    assert temps(tmp_path) == running and len(running) == 1  # locked: still in use, so kept
    os.kill(pid, signal.SIGKILL)
    reap(pid)
    old.save(target)
    assert temps(tmp_path) == []


def test_a_render_folder_left_by_a_kill_is_removed_by_the_next_render(tmp_path, monkeypatch):
    ready, told = os.pipe()
    pid = fork_child()
    if pid == 0:
        try:
            with files.scratch_dir(tmp_path, ".tracer-render-") as scratch:
                (scratch / "part000.mp4").write_bytes(b"partial")
                await_signal(told)
        finally:
            os._exit(0)
    os.close(told)
    wait_ready(ready, pid)
    os.kill(pid, signal.SIGKILL)
    reap(pid)
    assert len(temps(tmp_path)) == 1

    import importlib

    from tests.trace_samples import mlp_trace

    render = importlib.import_module("scenes.render")  # the module (scenes.render is also a function)

    def fake_still(plan, chunk, path, quality, fps, still=False, on_beat=None):
        path.write_bytes(b"a still")  # no Manim: only the folder handling is under test
        return path
    monkeypatch.setattr(render, "_render_chunk", fake_still)
    out = render.render(mlp_trace(), fmt="png", output=tmp_path / "still.png")
    assert out.read_bytes() == b"a still" and temps(tmp_path) == []
