"""The gallery: one still per built-in example at its most telling moment (the first plot its
story draws, else its recap), and ``docs/gallery.md`` linking them with each story's recap.

Regenerate it with one command: ``make gallery`` (``python -m scenes.gallery [NAME ...]``).
Stills are 480p PNGs in ``docs/gallery/``; each is written atomically.
"""
from __future__ import annotations

import sys
from pathlib import Path

from tracer.story import Story, text

DOCS = Path(__file__).resolve().parent.parent / "docs"


def telling_window(plan) -> tuple[int, int]:
    """The beats up to the first plot (its still is the plot), or the whole walkthrough (its
    last frame is the recap)."""
    for k, beat in enumerate(plan.beats):
        if beat.card == "plot" and beat.step is None:
            return (k, k + 1)
    return plan.window


def still(name: str, folder: Path) -> tuple[Path, Story | None]:
    """Render the still of example ``name`` into ``folder``; returns its path and the story."""
    from tracer.examples import run_example

    from .curated import build_plan
    from .render import render_plan

    trace = run_example(name)
    plan = build_plan(trace)
    plan.window = telling_window(plan)
    out = render_plan(plan, fmt="png", output=folder / f"{name}.png")
    return out, Story.from_meta(trace.meta)


def page(entries: list[tuple[str, Path, Story | None]]) -> str:
    lines = ["# Gallery", "", "One still per built-in example at its most telling moment: the plot its story",
             "exists for, or its recap. Regenerate with `make gallery`.", ""]
    for name, path, story in entries:
        title = text(story.title, "en") if story else name
        lines += [f"## {name}: {title}", "", f"![{title}](gallery/{path.name})", ""]
        if story and story.recap:
            lines += [f"> {text(story.recap, 'en')}", ""]
    return "\n".join(lines)


def main(names: list[str]) -> None:
    from tracer.examples import list_examples
    from tracer.files import atomic_write

    folder = DOCS / "gallery"
    folder.mkdir(parents=True, exist_ok=True)
    names = names or [n for n, _ in list_examples() if n != "minilm"]
    entries = []
    for name in names:
        path, story = still(name, folder)
        print(path, flush=True)
        entries.append((name, path, story))
    text_of_page = page(entries).encode("utf-8")
    atomic_write(DOCS / "gallery.md", lambda fh: fh.write(text_of_page))


if __name__ == "__main__":
    main(sys.argv[1:])
