"""The trace file's schema: version 1 files still open, an op this tracer does not know loads and
is shown as it is, every attribute an op declares has a checker, and a file's story fits its trace."""
from __future__ import annotations

import inspect
import json

import pytest
from click.testing import CliRunner

import tracer
from tests import hostile_traces as ht
from tracer.attrs import CHECKERS, check_attrs, declared
from tracer.cli import main
from tracer.errors import ManifestError
from tracer.ops.spec import REGISTRY


def schema_1(doc: dict) -> dict:
    """The same manifest as tracer 0.1's first format wrote it: the source line inside every step,
    the whole text of each source file in ``sources``."""
    sources = [tuple(s) for s in doc["sources"]]
    for step in doc["steps"]:
        if step["src"] is not None:
            file, line, code = sources[step["src"]]
            step["src"] = {"file": "/home/someone/" + file, "line": line, "code": code}
    doc["sources"] = {"/home/someone/" + f: "\n" * (line - 1) + code for f, line, code in sources}
    doc["schema"] = 1
    return doc


def test_a_version_1_file_opens_with_every_step_and_source_line(tmp_path):
    path = tmp_path / "v1.trace"
    path.write_bytes(ht.edited(ht.good_bytes(), schema_1))
    old, new = tracer.load(path), ht.good_trace()
    assert [(s.name, s.op, s.attrs, s.parent, s.part, s.grad_of) for s in old.steps] == \
           [(s.name, s.op, s.attrs, s.parent, s.part, s.grad_of) for s in new.steps]
    assert old.steps[2].src.code == new.steps[2].src.code and old.steps[2].src.file.startswith("/home/someone/")
    old.save(tmp_path / "again.trace")  # saved again: schema 2, each line once
    doc = ht.manifest((tmp_path / "again.trace").read_bytes())
    assert doc["schema"] == 2 and isinstance(doc["steps"][2]["src"], int)


def test_an_unknown_op_loads_and_is_shown_as_it_is(tmp_path):
    def frobnicate(doc):
        relu = ht.step_of(doc, "relu")
        relu.update(op="frobnicate", attrs={"strength": 3, "mode": "gentle", "weights": [1, 2.5, None]},
                    formula="H = frob(Z)", narration="Frobnicate Z, gently.")
        ht.step_of(doc, "relu", "backward")["op"] = "frobnicate"
    path = tmp_path / "frob.trace"
    path.write_bytes(ht.edited(ht.good_bytes(), frobnicate))
    trace = tracer.load(path)
    assert trace.steps[2].op == "frobnicate" and trace.steps[2].attrs["mode"] == "gentle"
    shown = CliRunner().invoke(main, ["show", str(path), "--step", "2"])
    assert shown.exit_code == 0, shown.output
    assert "frobnicate" in shown.stdout and "Frobnicate Z, gently." in shown.stdout
    assert "H (3, 1) activation" in shown.stdout
    in_vietnamese = CliRunner().invoke(main, ["show", str(path), "--step", "2", "--lang", "vi"])
    assert in_vietnamese.exit_code == 0 and "frobnicate: H = frob(Z)" in in_vietnamese.stdout
    as_json = json.loads(CliRunner().invoke(main, ["show", str(path), "--step", "2", "--json"]).stdout)
    assert as_json["attrs"] == {"strength": 3, "mode": "gentle", "weights": [1, 2.5, None]}
    exported = CliRunner().invoke(main, ["export", str(path), "--perfetto", str(tmp_path / "f.json")])
    assert exported.exit_code == 0


def test_every_attribute_every_op_declares_has_a_checker():
    for name, spec in REGISTRY.items():
        if spec.forward is None:  # bookkeeping of the backward pass: it names a tensor
            assert declared(name) == ("tensor",), name
            continue
        keyword = [p.name for p in inspect.signature(spec.forward).parameters.values() if p.kind == p.KEYWORD_ONLY]
        missing = [k for k in keyword if k not in CHECKERS]
        assert missing == [], f"{name}: add a checker for {missing} to tracer/attrs.py"
        assert set(keyword) <= set(declared(name))


@pytest.mark.slow  # every example traced
def test_every_attribute_the_examples_record_passes_its_checker():
    from tracer.examples import list_examples, run_example

    for example, _ in list_examples():
        trace = run_example(example)
        for step in trace.steps:
            check_attrs(step.op, step.attrs, trace.tensors, f"{example} step {step.id}")


@pytest.mark.parametrize("attrs, message", [
    ({"axis": [0, "1"]}, r"attrs.axis\[1\]: expected a whole number, got text"),
    ({"axis": list(range(40))}, "attrs.axis: more than 32 axes"),
    ({"keepdims": 1}, "attrs.keepdims: expected true or false, got a whole number"),
    ({"bogus": 1}, "sum takes no attribute 'bogus'"),
])
def test_a_bad_attribute_names_the_op_and_the_field(attrs, message):
    with pytest.raises(ManifestError, match=message):
        check_attrs("sum", attrs, {}, "step 1: attrs")
