"""Safe printing: what a hostile trace names reaches the terminal escaped and visible, in text, in
JSON, in error messages and in the stepper; numbers typed by a person are ASCII digits."""
from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

import tracer
from tracer import cli
from tracer.safetext import ascii_int, json_line, printable, printable_trace

HOSTILE = "h\x1b]0;pwned\x07\x9b31m\x1b[2J\r\u202eevil\x7f\x00"
RAW = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")  # anything but the line feed


@pytest.fixture(scope="module")
def hostile_file(tmp_path_factory):
    with tracer.record(title="title " + HOSTILE) as trace:
        x = tracer.tensor([[1.0, -1.0]], name="x" + HOSTILE, cols=["a\x1b[1m", "b"])
        tracer.sum(tracer.relu(x, name=HOSTILE), axis=1, name="total" + HOSTILE)
    path = tmp_path_factory.mktemp("safe") / "hostile.trace"
    trace.save(path)
    return str(path)


def test_every_control_character_is_shown_as_a_visible_escape():
    every = "".join(map(chr, range(0xA0))) + "\u202e\u2066\u2028\ud800"
    shown = printable(every)
    assert not RAW.search(shown) and "\n" not in shown
    assert "\\x1b" in shown and "\\x9b" in shown and "\\x07" in shown and "\\x7f" in shown and "\\u202e" in shown
    assert printable("a\nb", newlines=True) == "a\nb" and printable("a\nb") == "a\\nb"
    readable = "繁體中文 简体中文 Tiếng Việt ⊙ −1 ∑ ≤ 😀"
    assert printable(readable) == readable


def test_json_lines_keep_the_exact_strings_and_no_raw_control_character():
    line = json_line({"name": HOSTILE, "n": [1.5, None]})
    assert not RAW.search(line) and "\n" not in line
    assert json.loads(line) == {"name": HOSTILE, "n": [1.5, None]}


@pytest.mark.parametrize("args", [[], ["--step", "0"], ["--step", "1"], ["--depth", "0"]])
def test_show_prints_hostile_names_escaped(hostile_file, args):
    result = CliRunner().invoke(cli.main, ["show", hostile_file, *args])
    assert result.exit_code == 0, result.output
    assert not RAW.search(result.stdout)
    assert "h\\x1b]0;pwned\\x07\\x9b31m\\x1b[2J\\r\\u202eevil\\x7f\\x00" in result.stdout


def test_show_with_colour_lets_only_its_own_styles_through(hostile_file):
    out = CliRunner().invoke(cli.main, ["show", hostile_file, "--step", "0", "--color"]).stdout
    own = re.sub(r"\x1b\[[0-9;]*m", "", out)  # rich's colours: SGR sequences only
    assert not RAW.search(own) and "\x07" not in out and "\x1b]" not in out and "\x9b" not in out


def test_show_json_holds_the_exact_names_and_no_raw_control_character(hostile_file):
    for args in ([], ["--step", "0"]):
        out = CliRunner().invoke(cli.main, ["show", hostile_file, "--json", *args]).stdout
        assert not RAW.search(out)
        steps = [json.loads(line) for line in out.splitlines()]
        assert HOSTILE in {s["name"] for s in steps}


def test_the_stepper_gets_a_trace_whose_every_text_is_printable(hostile_file, monkeypatch):
    seen = {}
    monkeypatch.setattr("tracer.stepper.run_stepper", lambda trace, title, **kw: seen.update(trace=trace, title=title))
    assert CliRunner().invoke(cli.main, ["step", hostile_file]).exit_code == 0
    shown, original = seen["trace"], tracer.load(hostile_file)
    texts = [shown.meta["title"]] + [r.name for r in shown.tensors.values()] + [
        x for s in shown.steps for x in (s.name, s.op, s.formula, s.narration, s.src.file, s.src.code)]
    texts += [name for r in shown.tensors.values() if r.labels for axis in r.labels if axis for name in axis]
    assert not any(RAW.search(t) for t in texts)
    assert shown.steps[0].name == printable(HOSTILE) and original.steps[0].name == HOSTILE
    assert shown.tensors["t0"].data is not None and (shown.tensors["t0"].data == original.tensors["t0"].data).all()


def test_printable_trace_leaves_the_original_untouched(hostile_file):
    trace = tracer.load(hostile_file)
    printable_trace(trace)
    assert trace.steps[0].name == HOSTILE and trace.meta["title"] == "title " + HOSTILE


def test_the_perfetto_export_holds_no_raw_control_character(hostile_file, tmp_path):
    out = tmp_path / "p.json"
    assert CliRunner().invoke(cli.main, ["export", hostile_file, "--perfetto", str(out)]).exit_code == 0
    text = out.read_text(encoding="utf-8")
    assert not RAW.search(text) and HOSTILE in {e["name"] for e in json.loads(text)["traceEvents"]}


@pytest.mark.parametrize("text", ["²", "٣", "1_0", "1.0", "", "-", "+1", "0x1", "١٢"])
def test_only_ascii_digits_make_a_number(text):
    with pytest.raises(ValueError):
        ascii_int(text)


def test_ascii_numbers():
    assert [ascii_int(t) for t in ("0", "-7", " 12 ", "007")] == [0, -7, 12, 7]
