"""``tracer render --format png -o DIR/``: one PNG per pause point (a chapter's end in the trace's
story, or every shown step without one), named by step; a wrong folder is one line, exit 2."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

pytest.importorskip("manim")

import tracer  # noqa: E402
from tracer.cli import main  # noqa: E402
from tracer.story import Chapter, Story  # noqa: E402


def tiny(story: bool) -> tracer.Trace:
    with tracer.record() as trace:
        x = tracer.tensor([[1.0, -2.0], [0.5, 3.0]], name="X")
        h = tracer.relu(x, name="H")
        e = tracer.exp(h, name="E")
        tracer.neg(e, name="N")
    if story:
        trace.meta["story"] = Story({"en": "tiny"}, chapters=[Chapter({"en": "ReLU and exp"}, (0, 1)),
                                                              Chapter({"en": "minus"}, (2, 2))]).to_meta()
    return trace


def render(trace: tracer.Trace, tmp_path, *args: str):
    path = tmp_path / "t.trace"
    trace.save(path)
    return CliRunner().invoke(main, ["render", str(path), "--format", "png", *args])


def test_one_still_per_chapter_end(tmp_path):
    out = tmp_path / "stills"
    result = render(tiny(story=True), tmp_path, "--scene", "generic", "-o", f"{out}/")
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in out.iterdir())
    assert names == ["step-001-E.png", "step-002-N.png"]  # chapter 1 ends at E, chapter 2 at N
    assert all((out / n).read_bytes()[:4] == b"\x89PNG" for n in names)
    assert result.output.strip().splitlines()[-2:] == [str(out / n) for n in names]


def test_without_a_story_every_shown_step_of_the_range(tmp_path):
    out = tmp_path / "stills"
    out.mkdir()  # an existing folder needs no trailing slash
    result = render(tiny(story=False), tmp_path, "--scene", "generic", "--steps", "1..2", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["step-001-E.png", "step-002-N.png"]


@pytest.mark.parametrize("output, message", [("{tmp}/nodir/stills/", "there is no folder"),
                                              ("{tmp}/file.png/", "is a file")])
def test_a_wrong_folder_is_one_line(tmp_path, output, message):
    (tmp_path / "file.png").write_bytes(b"kept")
    result = render(tiny(story=False), tmp_path, "-o", output.format(tmp=tmp_path))
    assert result.exit_code == 2
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and message in errors[0], result.output
    assert (tmp_path / "file.png").read_bytes() == b"kept"


def test_a_folder_is_only_for_stills(tmp_path):
    result = render(tiny(story=False), tmp_path, "--format", "mp4", "-o", f"{tmp_path}/")
    assert result.exit_code == 2 and "names a folder" in result.output
