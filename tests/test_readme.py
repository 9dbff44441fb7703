"""Every README example runs: the Python blocks execute, the shell commands run through the CLI."""
from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from tracer.cli import main
from tracer.pretrained.minilm import weights_available

README = Path(__file__).parents[1] / "README.md"
TEXT = README.read_text(encoding="utf-8")


def blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", TEXT, flags=re.S)


def commands() -> list[list[str]]:
    """``tracer ...`` lines of the README's shell blocks, comments removed, in order."""
    lines = [line.split("  #")[0].strip() for block in blocks("sh") for line in block.splitlines()]
    return [shlex.split(line)[1:] for line in lines if line.startswith("tracer ")]


def test_readme_python_examples_run(capsys: pytest.CaptureFixture[str]) -> None:
    assert blocks("python"), "the README shows the Python API"
    for block in blocks("python"):
        exec(compile(block, str(README), "exec"), {})
    printed = capsys.readouterr().out
    assert "(0, 'forward', 'Z', 'Z = W1 · X + b1')" in printed
    assert "('1×1 - 1×2 + 0×0 + 0×1 + 1×1 = 0',)" in printed  # import tracer is enough for tracer.explain


@pytest.mark.slow  # every README command through the CLI, renders included: over a minute
def test_readme_commands_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "examples").symlink_to(README.parent / "examples")  # as in the repository
    (tmp_path / "docs").mkdir()                                     # where the README's stills go
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    seen = []
    for args in commands():
        if args[0] == "step":  # the full-screen stepper: driven by tests/test_stepper.py
            continue
        if "minilm" in args and not weights_available():  # tests/test_minilm.py says why it skips
            continue
        result = runner.invoke(main, args, catch_exceptions=False)
        assert result.exit_code == 0, (args, result.output)
        seen.append((args, result.output))
    assert {a[0] for a, _ in seen} >= {"examples", "run", "show", "export", "render", "sheet", "slides"}
    assert (tmp_path / "lecture.srt").read_text(encoding="utf-8").startswith("1\n00:00:00,000 --> ")
    assert "<section" in (tmp_path / "lecture.html").read_text(encoding="utf-8")
    assert (tmp_path / "sheet.pdf").read_bytes()[:5] == b"%PDF-" and list((tmp_path / "stills").glob("step-004-*.png"))
    if weights_available():  # the still of a real head is what the README shows
        assert (tmp_path / "docs" / "minilm_attention.png").read_bytes()[:4] == b"\x89PNG"
    shown = next(out for a, out in seen if a[:4] == ["show", "autoencoder.trace", "--step", "1"])
    for expected in blocks("text")[0].strip().splitlines():
        assert expected in shown
