"""Every README example runs: Python blocks execute, shell commands are checked in the CLI tests."""
from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).parents[1] / "README.md"


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


def test_readme_python_examples_run(capsys) -> None:
    blocks = python_blocks()
    assert blocks, "the README shows the Python API"
    for block in blocks:
        exec(compile(block, str(README), "exec"), {})
    out = capsys.readouterr().out
    assert "(0, 'forward', 'Z', 'Z = W1 · X + b1')" in out
