"""Safe text in and out: every text tracer shows a person passes through :func:`printable` first,
and a number typed by a person is read by :func:`ascii_int`.

A trace file is written by whoever sent it, so its names, titles and ids may hold terminal
control characters: ESC or the one-byte CSI ``\\x9b`` start escape sequences that recolour,
retitle or rewrite the terminal, BEL rings it, a carriage return overwrites the line before it,
bidirectional overrides reorder what the eye reads. Shown through here they become visible escapes
(``\\x1b``, ``\\u202e``) and do nothing. JSON output keeps its meaning: the same characters become
JSON escapes (``\\u001b``), so a script reading ``--json`` gets the exact strings back.

>>> printable("H\\x1b[2J\\x07 \\x9b31m ok")
'H\\\\x1b[2J\\\\x07 \\\\x9b31m ok'
>>> printable("two\\nlines"), printable("two\\nlines", newlines=True)
('two\\\\nlines', 'two\\nlines')
>>> printable("繁體 Tiếng Việt ⊙ −1")
'繁體 Tiếng Việt ⊙ −1'
>>> json_line({"name": "a\\x9bb\\x1b"})
'{"name": "a\\\\u009bb\\\\u001b"}'

Python's ``int()`` reads any Unicode digit (``int("٣") == 3``) and underscores (``int("1_0") ==
10``), and ``str.isdigit()`` accepts ``²`` that ``int()`` then refuses; a step id, a cell index or
a list index typed by a person is read as ASCII digits only:

>>> ascii_int(" -12 "), ascii_int("3")
(-12, 3)
>>> ascii_int("²")
Traceback (most recent call last):
...
ValueError: not a whole number: '²'
"""
from __future__ import annotations

import json
import re
from typing import Any

# C0 and C1 controls and DEL; bidirectional marks, embeddings, overrides and isolates; line and
# paragraph separators (they break a line where a reader expects none); lone surrogates (JSON can
# spell them, no terminal encoding can print them).
_OTHER = r"\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff"
_UNSAFE_TEXT = re.compile(r"[\x00-\x1f\x7f-\x9f" + _OTHER + "]")
_UNSAFE_LINES = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f" + _OTHER + "]")  # all but the line feed
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_WHOLE = re.compile(r"\s*-?[0-9]+\s*", re.ASCII)


def _escape(match: re.Match[str]) -> str:
    ch = match.group()
    return _NAMED.get(ch) or (f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}")


def printable(text: object, newlines: bool = False) -> str:
    """``text`` with every control character shown as a visible escape (``\\x1b``, ``\\u202e``).

    ``newlines`` keeps line breaks (a multi-line view); otherwise they are escaped too, so that
    one value or one error message stays on one line.
    """
    pattern = _UNSAFE_LINES if newlines else _UNSAFE_TEXT
    return pattern.sub(_escape, str(text))


def _json_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def json_line(data: Any) -> str:
    """``data`` as one line of JSON (UTF-8 text kept readable) without a raw control character."""
    return _UNSAFE_TEXT.sub(_json_escape, json.dumps(data, ensure_ascii=False))


def ascii_int(text: str) -> int:
    """A whole number written in ASCII digits (an optional minus, spaces around), else ValueError."""
    if not _WHOLE.fullmatch(text):
        raise ValueError(f"not a whole number: {text!r}")
    return int(text)


def counted(n: int, noun: str) -> str:
    """``n`` and ``noun``, plural unless ``n`` is one: what the CLI's "wrote" lines count.

    >>> counted(1, "step"), counted(6, "blank"), counted(0, "tensor")
    ('1 step', '6 blanks', '0 tensors')
    """
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def printable_data(value: Any) -> Any:
    """JSON-like data with every string in it :func:`printable` (keys too)."""
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, dict):
        return {printable_data(k): printable_data(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(printable_data(v) for v in value)
    return value


def printable_trace(trace: Any) -> Any:
    """A copy of ``trace`` for a full-screen viewer, every text in it :func:`printable` (the arrays
    are shared, not copied). The stepper draws names in many places; this reaches all of them."""
    from dataclasses import replace

    from .trace import Source, Trace

    shown = Trace(printable_data(trace.meta))
    shown.origin = trace.origin
    shown.tensors = {tid: replace(r, name=printable(r.name), labels=printable_data(r.labels))
                     for tid, r in trace.tensors.items()}
    shown.steps = [replace(s, op=printable(s.op), name=printable(s.name), formula=printable(s.formula),
                           narration=printable(s.narration), part=printable_data(s.part),
                           attrs=printable_data(s.attrs),
                           src=s.src and Source(printable(s.src.file), s.src.line, printable(s.src.code)))
                   for s in trace.steps]
    return shown


def echo(text: str = "", err: bool = False) -> None:
    """Print ``text`` (may span lines) to stdout or stderr, control characters escaped."""
    import click

    click.echo(printable(text, newlines=True), err=err)
