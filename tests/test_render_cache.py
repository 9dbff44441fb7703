"""Speed without a clock: a second render of the same trace and options reuses its parts from the
cache (the scene is not built again), a changed trace or option or ``--no-cache`` renders anew, a
corrupted entry is never served; ``--jobs`` defaults to the machine's cores; the stills of a deck
are taken in one pass and are the frames the one-still-per-render way drew."""
from __future__ import annotations

import importlib
import io
import json

import numpy as np
import pytest
from click.testing import CliRunner

pytest.importorskip("manim")
from PIL import Image  # noqa: E402

import tracer  # noqa: E402
from scenes.curated import build_plan  # noqa: E402
from scenes.stills import render_stills  # noqa: E402
from tracer.cli_render import render as render_command  # noqa: E402
from tracer.story import Chapter, Story  # noqa: E402

R = importlib.import_module("scenes.render")   # `scenes.render` the name is the function, re-exported


def tiny(value: float = 3.0) -> tracer.Trace:
    with tracer.record() as trace:
        x = tracer.tensor([[1.0, -2.0], [0.5, value]], name="X")
        e = tracer.exp(tracer.relu(x, name="H"), name="E")
        tracer.neg(e, name="N")
    trace.meta["story"] = Story({"en": "tiny"}, chapters=[Chapter({"en": "ReLU and exp"}, (0, 1)),
                                                          Chapter({"en": "minus"}, (2, 2))]).to_meta()
    return trace


@pytest.fixture
def builds(monkeypatch):
    """Counts the scenes built (each a Manim render of a part)."""
    calls = []
    real = R.render_scene

    def counted(*args, **kwargs):
        calls.append(args[1])
        return real(*args, **kwargs)
    monkeypatch.setattr(R, "render_scene", counted)
    return calls


def entries(cache) -> list[str]:
    return sorted(p.name for p in cache.iterdir()) if cache.exists() else []


def video(trace, path, **options):
    cues: list = []
    out = R.render(trace, scene="generic", output=path, fps=2, captions=cues, **options)
    return out.read_bytes(), [(c.start, c.end, c.text) for c in cues]


def test_a_second_render_reuses_every_part(tmp_path, builds, render_cache):
    trace = tiny()
    first = video(trace, tmp_path / "a.mp4")
    assert len(builds) == 1
    kept = entries(render_cache)
    assert len(kept) == 2 and all(n.endswith((".mp4", ".json")) for n in kept)   # the part: movie + note
    again = video(trace, tmp_path / "b.mp4")   # the same trace, read by the first render meanwhile
    assert len(builds) == 1 and entries(render_cache) == kept   # nothing drawn, nothing new written
    assert again == first                                       # the same bytes and the same subtitles


def test_parts_drawn_by_two_jobs_are_reused_too(tmp_path, render_cache, monkeypatch):
    first = video(tiny(), tmp_path / "a.mp4", jobs=2)
    assert len(entries(render_cache)) == 4                     # two parts

    def drawn(*args, **kwargs):
        raise AssertionError("a cached part was drawn again")
    monkeypatch.setattr(R, "_render_chunk", drawn)
    monkeypatch.setattr(R, "_render_workers", drawn)
    assert video(tiny(), tmp_path / "b.mp4", jobs=2) == first


def test_a_changed_trace_or_option_renders_anew(tmp_path, builds, render_cache):
    video(tiny(), tmp_path / "a.mp4")
    assert len(builds) == 1
    video(tiny(value=4.0), tmp_path / "b.mp4")               # one number differs
    video(tiny(), tmp_path / "c.mp4", lang="vi")
    video(tiny(), tmp_path / "d.mp4", pace="slow")
    assert len(builds) == 4 and len(entries(render_cache)) == 8
    video(tiny(), tmp_path / "e.mp4", steps="1..2")           # another window: other parts
    assert len(builds) == 5


def test_no_cache_neither_reads_nor_writes(tmp_path, builds, render_cache):
    video(tiny(), tmp_path / "a.mp4", cache=False)
    assert entries(render_cache) == []
    video(tiny(), tmp_path / "b.mp4")
    video(tiny(), tmp_path / "c.mp4", cache=False)
    assert len(builds) == 3


@pytest.mark.parametrize("damage", ["movie", "note", "gone"])
def test_a_corrupted_entry_is_rendered_again(tmp_path, builds, render_cache, damage):
    first = video(tiny(), tmp_path / "a.mp4")
    movie = next(render_cache.glob("*.mp4"))
    note = movie.with_suffix(".json")
    if damage == "movie":                  # one byte flipped in the middle
        data = bytearray(movie.read_bytes())
        data[len(data) // 2] ^= 0xFF
        movie.write_bytes(bytes(data))
    elif damage == "note":
        note.write_text(note.read_text()[:10])
    else:
        movie.unlink()
    again = video(tiny(), tmp_path / "b.mp4")
    assert len(builds) == 2 and again == first
    assert json.loads(note.read_text())["sha256"]              # rewritten, sound again
    builds.clear()
    assert video(tiny(), tmp_path / "c.mp4") == first and builds == []


def test_the_cli_defaults_to_one_job_per_core_and_passes_no_cache(tmp_path, monkeypatch):
    asked = []

    def fake(trace, **options):
        asked.append(options)
        out = tmp_path / "x.mp4"
        out.write_bytes(b"movie")
        return out
    monkeypatch.setattr(R, "render", fake)
    monkeypatch.setattr("os.sched_getaffinity", lambda pid: {0, 1, 2}, raising=False)
    path = tmp_path / "t.trace"
    tiny().save(path)
    for args in ([], ["--jobs", "1", "--no-cache"]):
        result = CliRunner().invoke(render_command, [str(path), "--format", "gif", *args])
        assert result.exit_code == 0, result.output
    assert [(o["jobs"], o["cache"]) for o in asked] == [(3, True), (1, False)]


def test_stills_in_one_pass_are_the_stills_rendered_one_by_one(tmp_path, builds):
    plan = build_plan(tiny(), scene="generic")
    ends = [k for k, b in enumerate(plan.beats) if b.pause] + [0, 1]   # the chapter ends, the recap; two cards
    assert [plan.beats[k].name for k in ends] == ["1:E", "2:N", "recap", "title", "overview"]
    ticks = []
    together = render_stills(plan, ends, progress=lambda d, n: ticks.append((d, n)))
    assert len(builds) == 1 and ticks[-1] == (5, 5)
    for end, image in zip(ends, together):
        plan.window = (0, end + 1)
        alone = R.render_plan(plan, fmt="png", output=tmp_path / f"{end}.png")
        a, b = (np.asarray(Image.open(io.BytesIO(x))) for x in (image, alone.read_bytes()))
        assert a.shape == (480, 854, 4) and np.array_equal(a, b)
