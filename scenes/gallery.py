"""The gallery: one still per built-in example at its most telling moment (the plot its story
exists for, else the whole network or a worked step), and ``docs/gallery.md`` linking them with each
story's recap.

Regenerate it with one command: ``make gallery`` (``python -m scenes.gallery``: every still and the
page); ``python -m scenes.gallery NAME ...`` renders only those stills, ``--docs DIR`` writes into
``DIR/gallery/`` (and ``DIR/gallery.md``) instead of ``docs/``. Stills are 480p PNGs reduced to a
palette of :data:`COLOURS` colours (flat colours and text: a third of what Manim writes, 10 to 30 KB);
each is written atomically. They are committed: the README and docs/gallery.md show them.
"""
from __future__ import annotations

import argparse
import io
from pathlib import Path

from tracer.story import Story, text

DOCS = Path(__file__).resolve().parent.parent / "docs"
COLOURS = 256   # the most a PNG palette holds: every plot colour survives; 10 to 30 KB a still

# The moment each example exists for, where it is not its first plot: "plot N" (the Nth plot,
# from 1), "overview" (the whole network on one page), "recap" or "step NAME" (that step worked).
MOMENTS = {
    "anomaly_detection": "plot 2",      # reconstruction errors, the threshold and the flagged reading
    "autoencoder": "step train.0.encoder.layer1.Z1",   # the by-hand layout: W1 beside X, Z1 below
    "autoencoder_large": "overview",    # 1000 → 500 → 10 → 500 → 1000 on one page
    "gru": "overview",                  # every gate a named step
    "lstm": "overview",
    "masked_lm": "plot 2",              # p(word at [MASK]): king and queen, not cat or armadillo
    "next_char": "plot 2",              # p(next character) after 中华人民
    "next_token": "plot 2",             # p(next word): once upon a → time
    "positional_encoding": "plot 2",    # the two 麻子 told apart by their positions
    "transformer_block": "overview",    # attention, residuals, layer norms, feed-forward at once
    "word_autoencoder": "plot 2",       # the 2-number codes: king and queen close, armadillo far
}


def telling_window(plan, moment: str = "plot 1") -> tuple[int, int]:
    """The beats of ``plan`` up to the one ``moment`` names (its still is that card, or that step
    worked): ``"plot N"`` (the Nth plot), ``"overview"``, ``"recap"`` or ``"step NAME"``; the whole
    walkthrough when it has no such beat (its last frame is the recap)."""
    kind, _, arg = moment.partition(" ")
    if kind == "step":
        found = [k for k, beat in enumerate(plan.beats) if beat.step is not None and beat.step.name == arg]
    else:
        cards = [k for k, beat in enumerate(plan.beats) if beat.step is None and beat.card == kind]
        found = cards[int(arg or 1) - 1:]
    return (found[0], found[0] + 1) if found else plan.window


def still(name: str, folder: Path) -> tuple[Path, Story | None]:
    """Render the still of example ``name`` into ``folder`` (compressed); returns its path and the story."""
    from tracer.examples import run_example
    from tracer.files import atomic_write

    from .curated import build_plan
    from .render import render_plan

    trace = run_example(name)
    plan = build_plan(trace)
    plan.window = telling_window(plan, MOMENTS.get(name, "plot 1"))
    out = render_plan(plan, fmt="png", output=folder / f"{name}.png")
    small = compressed(out.read_bytes())
    atomic_write(out, lambda fh: fh.write(small))
    return out, Story.from_meta(trace.meta)


def compressed(png: bytes, colours: int = COLOURS) -> bytes:
    """``png`` with its colours reduced to a palette of ``colours`` (no dithering: flat colours stay
    flat), saved optimised."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    small = image.quantize(colors=colours, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    buffer = io.BytesIO()
    small.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def page(entries: list[tuple[str, Path, Story | None]]) -> str:
    lines = ["# Gallery", "", "One still per built-in example (MiniLM aside: it needs its weights) at its most",
             "telling moment: the plot its story exists for, the whole network on one page, or a step",
             "worked by hand; under it, the recap its video ends on. Regenerate with `make gallery`.", ""]
    for name, path, story in entries:
        title = text(story.title, "en") if story else name
        lines += [f"## {name}: {title}", "", f"![{title}](gallery/{path.name})", ""]
        if story and story.recap:
            lines += [f"> {text(story.recap, 'en')}", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """Render the named stills (default: every example but MiniLM, and then the page too)."""
    from tracer.examples import list_examples
    from tracer.files import atomic_write

    parser = argparse.ArgumentParser(prog="python -m scenes.gallery", description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="examples to render (default: all but minilm, and the page)")
    parser.add_argument("--docs", type=Path, default=DOCS, help="folder of gallery.md and gallery/ (default: docs/)")
    args = parser.parse_args(argv)
    known = [n for n, _ in list_examples()]
    unknown = [n for n in args.names if n not in known]
    if unknown:
        parser.exit(2, f"error: no example {unknown[0]!r}; there are: {', '.join(known)}\n")
    folder = args.docs / "gallery"
    folder.mkdir(parents=True, exist_ok=True)
    entries = []
    for name in args.names or [n for n in known if n != "minilm"]:
        path, story = still(name, folder)
        print(path, f"{path.stat().st_size // 1024} KB", flush=True)
        entries.append((name, path, story))
    if not args.names:   # the page lists every example: written when all of them were rendered
        text_of_page = page(entries).encode("utf-8")
        atomic_write(args.docs / "gallery.md", lambda fh: fh.write(text_of_page))


if __name__ == "__main__":
    main()
