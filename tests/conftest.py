"""Shared pytest hooks: the summary line of how many hostile and fuzzed inputs were tried (summed
over pytest-xdist's workers when ``make test`` runs the suite on every core)."""
from __future__ import annotations

import os

import pytest

from tests.tally import TRIED


def pytest_configure(config) -> None:
    """Each xdist worker its own Manim media folder: Manim writes a text's SVG into
    ``media/texts`` and unlinks its working copy, so two workers drawing the same text at once
    raced there (one unlinked the file the other was about to)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        try:
            from manim import config as manim_config
        except ImportError:   # the engine-only install: nothing draws
            return
        manim_config.media_dir = os.path.join("media", worker)


def pytest_sessionfinish(session) -> None:
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # an xdist worker: hand its counts to the controller
        workeroutput["tried"] = dict(TRIED)


def pytest_testnodedown(node, error) -> None:  # xdist's controller, once per worker that finishes
    TRIED.update(getattr(node, "workeroutput", {}).get("tried", {}))


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    if TRIED:
        counts = ", ".join(f"{n} {kind}" for kind, n in sorted(TRIED.items()))
        terminalreporter.write_line(f"hostile and fuzzed inputs tried: {counts}; none ended in a traceback, a "
                                    "memory blow-up or a changed input")


@pytest.fixture(autouse=True)
def render_cache(tmp_path_factory, monkeypatch):
    """Each test renders with its own, empty cache of rendered parts (scenes.cache), never the user's."""
    folder = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder))
    return folder / "tracer" / "render"
