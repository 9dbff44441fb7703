"""The ``tracer`` command through click's CliRunner, on traces with hand-worked numbers."""
from __future__ import annotations

import importlib.machinery
import json
import subprocess
import sys
import types

import click
import numpy as np
import pytest
from click.testing import CliRunner

import tracer
from tests.trace_samples import mlp_trace
from tracer.cli import main
from tracer.errors import ConfigError


@pytest.fixture(scope="module")
def mlp_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "mlp.trace"
    mlp_trace().save(path)
    return str(path)


def run(*args: str):
    return CliRunner().invoke(main, list(args))


# ---- help, version, start-up ------------------------------------------------------------------------
def test_every_command_has_help_with_examples():
    top = run("--help")
    assert top.exit_code == 0 and "Examples:" in top.output
    for name in ("run", "examples", "show", "step", "export"):
        assert name in top.output
        sub = run(name, "--help")
        assert sub.exit_code == 0, name
        assert "Examples:" in sub.output and f"tracer {name}" in sub.output, name


def test_version():
    result = run("--version")
    assert result.exit_code == 0 and result.output == f"tracer, version {tracer.__version__}\n"


def test_help_imports_nothing_heavy():
    code = ("import sys\nfrom tracer.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'manim', 'textual', 'rich', 'yaml', 'tracer.stepper'})\n"
            "print('HEAVY', heavy, 'tracer.stepper' in sys.modules, 'tracer.examples' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.splitlines()[-1] == "HEAVY [] False False"


# ---- show -------------------------------------------------------------------------------------------
def test_show_lists_every_step_with_its_op_and_shapes(mlp_file):
    result = run("show", mlp_file)
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert len(lines) == 1 + 21
    assert lines[1].split() == ["0", "forward", "layer1.Z", "linear", "Z", "(3,", "1)"]
    assert lines[2].split()[:4] == ["1", "forward", "layer1.Z.matmul", "matmul"]
    assert "\x1b[" not in result.output  # plain text when not writing to a terminal


def test_show_filters_by_phase_and_depth(mlp_file):
    result = run("show", mlp_file, "--phase", "backward", "--depth", "0")
    names = [line.split()[2] for line in result.output.splitlines()[1:]]
    assert names == ["loss.grad", "layer2.P.grad", "layer1.H.grad", "layer1.Z.grad"]


def test_show_one_step_with_its_matrices_and_cell_working(mlp_file):
    result = run("show", mlp_file, "--step", "layer1.Z.matmul", "--cell", "1,0")
    assert result.exit_code == 0
    text = result.output
    assert text.startswith("step 1  forward  matmul  layer1.Z.matmul\n")
    assert "  matmul = W1 · X\n" in text
    assert "Multiply W1 by X" in text
    assert 'source  trace_samples.py:' in text and 'tracer.linear(W1, X, b1, name="Z")' in text
    assert "W1 (3, 2) param\n   1 -1\n   2  0\n   0  1\n" in text
    assert "matmul (3, 1) activation\n  2\n  6\n  1\n" in text  # W1·X = [2, 6, 1]
    assert "matmul[1, 0] = 6\n  matmul[1, 0] = W1[1, :]·X[:, 0]\n  2×3 + 0×1 = 6\n" in text


def test_a_long_sum_keeps_its_first_and_last_terms_and_the_total_between(tmp_path):
    with tracer.record() as trace:
        tracer.matmul(tracer.tensor(np.ones((1, 20)), name="A"), tracer.tensor(np.ones((20, 1)), name="B"), name="C")
    trace.save(tmp_path / "sum.trace")
    text = run("show", str(tmp_path / "sum.trace"), "--step", "C").output
    assert "C[0, 0] = 20\n  C[0, 0] = A[0, :]·B[:, 0]\n  1×1 + 1×1 + 1×1 + 1×1 + 1×1 + [13 terms: 13] + 1×1 + 1×1 = 20\n" in text


def test_show_a_gradient_step_names_its_forward_step(mlp_file):
    text = run("show", mlp_file, "--step", "14").output
    assert "gradient of  step 3 layer1.H" in text
    assert "dZ (3, 1) grad\n  -8\n   8\n   0\n" in text  # dH ⊙ [Z > 0] with dH = [−8, 8, −16]


def test_show_narrates_in_the_chosen_language(mlp_file):
    from tracer.i18n import narrate

    trace = tracer.load(mlp_file)
    for lang in ("zh-Hant", "vi"):
        text = run("show", mlp_file, "--step", "4", "--lang", lang).output
        said = narrate(trace, trace.step(4), lang)
        assert said != trace.step(4).narration and f"  {said}\n" in text


def test_show_colours_grids_by_sign_on_request(mlp_file):
    result = run("show", mlp_file, "--step", "1", "--color")
    assert "\x1b[" in result.output
    assert "W1 (3, 2) param" in click.unstyle(result.output)


def test_bare_tracer_prints_the_command_list():
    result = run()
    assert result.exit_code == 0 and "Commands:" in result.output and "show" in result.output
    assert "error" not in result.output


def test_the_help_promises_only_what_the_commands_do(monkeypatch):
    monkeypatch.setattr(main, "commands", dict(main.commands))   # commands loaded here are not kept
    text = run("--help").output.split("Commands:")[1]
    listed = [line.split()[0] for line in text.splitlines() if line.startswith("  ") and line.split()]
    assert {"render", "slides"} <= set(listed)
    for name in listed:                       # every command listed is there and explains itself
        result = run(name, "--help")
        assert result.exit_code == 0 and "Usage:" in result.output, name


def test_the_examples_of_show_help_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    text = run("show", "--help").output.split("Examples:")[1].split("Options:")[0]
    commands = [line.split()[1:] for line in text.splitlines() if line.strip().startswith("tracer ")]
    assert commands[0][0] == "run" and len(commands) >= 5
    for args in commands:
        args = args[:args.index("|")] if "|" in args else args
        result = run(*args)
        assert result.exit_code == 0, (args, result.output)


def test_a_single_number_needs_no_cell_and_the_language_any_case(mlp_file):
    text = run("show", mlp_file, "--step", "loss", "--lang", "ZH-hant").output
    assert "這一格的算式\nloss = 16" in text and "輸入" in text and "inputs" not in text  # (−3 − 1)²


def test_show_json_speaks_the_language_and_carries_the_working(mlp_file):
    one = json.loads(run("show", mlp_file, "--step", "layer1.Z.matmul", "--cell", "1,0", "--json", "--lang", "vi").output)
    assert one["lang"] == "vi" and one["narration"].startswith("Nhân ma trận W1 với X")
    assert one["working"]["lines"] == ["2×3 + 0×1 = 6"] and one["working"]["cell"] == [1, 0]
    rows = [json.loads(line) for line in run("show", mlp_file, "--json", "--lang", "zh-Hans").output.splitlines()]
    assert rows[0]["narration"].startswith("线性层：")


def test_show_json_is_one_object_per_step(mlp_file):
    lines = run("show", mlp_file, "--json").output.splitlines()
    objects = [json.loads(line) for line in lines]
    assert [o["id"] for o in objects] == list(range(21))
    assert objects[13]["grad_of"] == 4 and objects[13]["phase"] == "backward"
    assert "values" not in objects[0]["inputs"][0]
    one = json.loads(run("show", mlp_file, "--step", "layer2.P", "--json").output)
    assert one["formula"] == "P = W2 · H"
    assert one["outputs"][0]["values"] == [[-3.0]]  # [1, −1, 2]·[2, 5, 0]
    assert one["inputs"][1]["values"] == [[2.0], [5.0], [0.0]]


@pytest.mark.parametrize("args, words", [
    (["show", "missing.trace"], "error: missing.trace: no such file"),
    (["show", "{mlp}", "--step", "nope"], "error: no step named 'nope' in the trace"),
    (["show", "{mlp}", "--step", "99"], "error: no step 99: the trace has steps 0..20"),
    (["show", "{mlp}", "--step", "1", "--cell", "5,0"], "error: Invalid value for --cell: cell 5,0 is outside"),
    (["show", "{mlp}", "--step", "1", "--cell", "a,b"], "error: Invalid value for --cell: expected numbers"),
    (["show", "{mlp}", "--phase", "sideways"], "error: Invalid value for '--phase'"),
    (["show"], "error: Missing argument 'TRACE'."),
    (["show", "{mlp}", "--bogus"], "error: No such option '--bogus'. (see 'tracer show --help')"),
    (["frobnicate"], "error: No such command 'frobnicate'."),
    (["export", "{mlp}"], "error: nothing to export: give --perfetto OUT.json"),
    (["step", "missing.trace"], "error: missing.trace: no such file"),
    (["show", "{mlp}", "--lang", "fr"], "error: Invalid value for '--lang'"),
    (["show", "{mlp}", "--cell", "1,0"], "error: --cell needs --step"),
    (["show", "{mlp}", "--phase", "update", "--step", "1"], "error: --phase and --depth filter the step table"),
    (["show", "{mlp}", "--step", "1", "--cell", "1"], "error: Invalid value for --cell: matmul has shape (3, 1): a cell needs 2 number(s) like 0,0, got 1"),
    (["show", "{mlp}", "--step", "loss", "--cell", "0"], "error: Invalid value for --cell: loss is a single number: leave --cell out"),
])
def test_errors_are_one_line_with_exit_code_2(mlp_file, args, words, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run(*[a.replace("{mlp}", mlp_file) for a in args])
    assert result.exit_code == 2
    assert result.output.startswith(words) and result.output.count("\n") == 1
    assert "Traceback" not in result.output


def test_an_unexpected_os_error_is_caught_in_one_place(mlp_file, tmp_path, monkeypatch):
    def refuse(*args):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tracer.io, "export_perfetto", refuse)
    result = run("export", mlp_file, "--perfetto", str(tmp_path / "x.json"))
    assert result.exit_code == 2 and result.output == "error: [Errno 13] Permission denied\n"


# ---- export and step ------------------------------------------------------------------------------
def test_export_perfetto(mlp_file, tmp_path):
    out = tmp_path / "mlp.json"
    result = run("export", mlp_file, "--perfetto", str(out))
    assert result.exit_code == 0 and result.output == f"wrote {out}: 21 steps\n"
    events = json.loads(out.read_text())["traceEvents"]
    assert sum(e["ph"] == "X" for e in events) == 21


def test_step_opens_the_stepper_on_the_loaded_trace(mlp_file, monkeypatch):
    import tracer.stepper

    seen = {}
    monkeypatch.setattr(tracer.stepper, "run_stepper", lambda trace, title, lang, practice: seen.update(
        steps=len(trace.steps), title=title, lang=lang, practice=practice))
    result = run("step", mlp_file, "--lang", "vi")
    assert result.exit_code == 0
    assert seen == {"steps": 21, "title": "mlp.trace", "lang": "vi", "practice": False}


def test_step_practice_prints_the_score_when_the_stepper_closes(mlp_file, monkeypatch):
    import tracer.stepper

    monkeypatch.setattr(tracer.stepper, "run_stepper", lambda trace, title, lang, practice:
                        "Practice over: 3 of 4 right" if practice else None)
    result = run("step", mlp_file, "--practice")
    assert result.exit_code == 0
    assert result.output == "Practice over: 3 of 4 right\n"


# ---- run and examples (the examples module is another area's: a stand-in here) ----------------------
@pytest.fixture
def fake_examples(monkeypatch):
    calls = []
    module = types.ModuleType("tracer.examples")

    def run_example(source, overrides=()):
        calls.append((source, list(overrides)))
        if source == "broken":
            raise ConfigError("broken.yaml:3: unknown key 'lr_rate'")
        return mlp_trace()

    module.list_examples = lambda: [("perceptron", "a movie decision: weather, price, company"),
                                    ("mlp", "a 2→3→1 network, one step of gradient descent")]
    module.run_example = run_example
    module.resolve = lambda source: source  # the input an output may not replace
    monkeypatch.setitem(sys.modules, "tracer.examples", module)
    monkeypatch.setattr(tracer, "examples", module, raising=False)
    return calls


def test_examples_lists_names_and_descriptions(fake_examples):
    result = run("examples")
    assert result.exit_code == 0
    assert result.output == ("perceptron  a movie decision: weather, price, company\n"
                             "mlp         a 2→3→1 network, one step of gradient descent\n")


def test_run_saves_name_dot_trace_here(fake_examples, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("run", "mlp", "--set", "lr=0.05", "--set", "steps=2")
    assert result.exit_code == 0 and result.output.startswith("wrote mlp.trace: 21 steps")
    assert fake_examples == [("mlp", ["lr=0.05", "steps=2"])]
    assert len(tracer.load(tmp_path / "mlp.trace").steps) == 21


def test_run_a_yaml_file_with_an_output_path(fake_examples, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run("run", "configs/my_net.yaml").output.startswith("wrote my_net.trace")
    assert run("run", "configs/my_net.yaml", "-o", "out.trace").exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["my_net.trace", "out.trace"]


def test_a_failed_run_is_one_line_and_clobbers_nothing(fake_examples, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "broken.trace").write_bytes(b"previous")
    result = run("run", "broken")
    assert result.exit_code == 2 and result.output == "error: broken.yaml:3: unknown key 'lr_rate'\n"
    assert (tmp_path / "broken.trace").read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["broken.trace"]


def test_run_rejects_a_malformed_override(fake_examples):
    result = run("run", "mlp", "--set", "lr")
    assert result.exit_code == 2 and "--set" in result.output and "expected KEY=VALUE, got 'lr'" in result.output
    assert fake_examples == []


# ---- commands from other modules are imported only when used -----------------------------------------
def test_a_lazy_command_is_listed_without_importing_it_and_runs(monkeypatch):
    from tracer import cli

    module = types.ModuleType("tracer_fake_render")
    module.__spec__ = importlib.machinery.ModuleSpec("tracer_fake_render", None)

    @click.command()
    def render():
        """Render."""
        click.echo("rendered")

    module.render = render
    monkeypatch.setitem(sys.modules, "tracer_fake_render", module)
    monkeypatch.setitem(cli.LAZY_COMMANDS, "render", ("tracer_fake_render", "render", "Render a trace."))
    # an earlier test may have run the real render command, which registers it: start without it
    monkeypatch.setattr(main, "commands", {k: c for k, c in main.commands.items() if k != "render"})
    assert "render    Render a trace." in run("--help").output
    assert "render" not in main.commands
    assert run("render").output == "rendered\n"
