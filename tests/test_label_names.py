"""A grid's row and column labels (features, days, tokens) in the learner's language: the example's
``label_names`` table is kept in the trace, every viewer opens the trace through
:func:`tracer.label_names.in_language`, a hostile table gives one line and exit code 2, and an
exercise sheet names the rows of the input drawn over the result (X's features)."""
from __future__ import annotations

import json
import shutil
import subprocess
import zipfile

import pytest
from click.testing import CliRunner

from tracer.cli import main
from tracer.label_names import in_language, label
from tracer.lecture import plan_sheet, sheet_pdf
from tracer.story import Story

from .example_runs import run
from .test_sheet_labels import blocks, labels_of

# the perceptron's labels in each language, written by hand (the words of seed 002 for zh)
FEATURES = {"en": ("weather", "price", "company"), "vi": ("thời tiết", "giá vé", "bạn đi cùng"),
            "zh-Hant": ("天氣", "價格", "同伴"), "zh-Hans": ("天气", "价格", "同伴")}
WEEKEND = {"en": "this weekend", "vi": "cuối tuần này", "zh-Hant": "這個週末", "zh-Hans": "这个周末"}
GO = {"en": "go", "vi": "đi", "zh-Hant": "去", "zh-Hans": "去"}


def x_of(trace):
    return trace.tensors[trace.step("decide.perceptron.S").inputs[1]]


@pytest.mark.parametrize("lang", ["en", "vi", "zh-Hant", "zh-Hans"])
def test_the_perceptron_names_its_features_in_each_language(lang):
    shown = in_language(run("perceptron"), lang)
    X = x_of(shown)
    assert X.labels == (FEATURES[lang], (WEEKEND[lang],))
    W = shown.tensors[shown.step("decide.perceptron.S").inputs[0]]
    assert W.labels == ((GO[lang],), FEATURES[lang])
    lines = Story.from_meta(shown.meta).plots[0]   # the weights per epoch: one line per feature
    assert tuple(lines.series) == FEATURES[lang]


def test_the_recorded_trace_stays_in_english():
    trace = run("perceptron")
    in_language(trace, "vi")
    assert x_of(trace).labels[0] == FEATURES["en"]
    assert label("price", "zh-hant", trace.meta["label_names"]) == "價格"   # any case of the code


def test_the_recap_names_the_features_in_its_language():
    recap = Story.from_meta(run("perceptron").meta).recap
    assert "bạn đi cùng quan trọng nhất" in recap["vi"]
    assert "同伴" in recap["zh-Hant"] and "company" not in recap["zh-Hant"]


def test_tracer_show_in_vietnamese_names_the_rows(tmp_path):
    path = tmp_path / "p.trace"
    run("perceptron").save(path)
    vi = CliRunner().invoke(main, ["show", str(path), "--step", "0", "--lang", "vi"])
    en = CliRunner().invoke(main, ["show", str(path), "--step", "0"])
    assert vi.exit_code == 0 and en.exit_code == 0
    for word in ("thời tiết", "giá vé", "đi"):
        assert word in vi.output and word not in en.output
    assert "weather" in en.output and "weather" not in vi.output


def test_a_hostile_label_table_gives_one_line_and_exit_2(tmp_path):
    good = tmp_path / "p.trace"
    run("perceptron").save(good)
    with zipfile.ZipFile(good) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    doc = json.loads(parts["manifest.json"])
    doc["meta"]["label_names"] = {"weather": {"fr": "météo"}}
    parts["manifest.json"] = json.dumps(doc).encode()
    bad = tmp_path / "bad.trace"
    with zipfile.ZipFile(bad, "w") as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    result = CliRunner().invoke(main, ["show", str(bad), "--lang", "vi"])
    assert result.exit_code == 2
    assert result.stderr == (f"error: {bad}: meta.label_names.weather: unknown language 'fr' "
                             "(one of en, zh-Hant, zh-Hans, vi)\n")


def test_a_bad_label_table_in_an_example_names_its_line(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("system: normalization\nlabel_names:\n  score: {vi: điểm, klingon: x}\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["run", str(path), "-o", str(tmp_path / "p.trace")])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "p.yaml:3: label_names.score.klingon: unknown language 'klingon'" in result.stderr


def test_the_walkthrough_plan_reads_the_trace_in_its_language():
    from scenes.curated import build_plan

    plan = build_plan(run("anomaly_detection"), lang="zh-Hans")
    X = next(r for r in plan.trace.tensors.values() if r.name == "X")
    assert X.labels == (("温度", "压力", "流量", "振动", "电流", "转速"), ("周一", "周二", "周三", "周四", "周五", "周六"))


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (make system)")
def test_the_sheet_names_the_rows_of_x(tmp_path):
    trace = run("perceptron")
    sheet = blocks(plan_sheet(trace, steps="0..0"), tmp_path)[0]["0"]
    cols, rows = labels_of(sheet, "X", 3)
    assert rows == list(FEATURES["en"]) and cols == ["this", "weekend"]
    vi = plan_sheet(trace, steps="0..0", lang="vi")
    assert x_of(vi.trace).labels[0] == FEATURES["vi"]
    (tmp_path / "vi.pdf").write_bytes(sheet_pdf(vi))
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "vi.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "bạn đi cùng" in text and "company" not in text
