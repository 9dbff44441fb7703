"""The memory budget: every example estimates its tensors before it builds anything, and is refused
past the budget with its estimate; a recording stops past it; the budget is configurable."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

import tracer
from tracer import budget
from tracer.cli import main
from tracer.errors import ResourceError
from tracer.examples import check_memory, list_examples, load_config, run_example
from tracer.systems import SYSTEMS


@pytest.mark.parametrize("text, size", [("2048", 2048), ("512M", 512 << 20), ("1.5G", 3 << 29), ("4GiB", 4 << 30),
                                        ("64 kb", 64 << 10), (" 1t ", 1 << 40)])
def test_sizes_are_read_with_their_units(text, size):
    assert budget.parse_size(text) == size


@pytest.mark.parametrize("text", ["", "lots", "-1G", "1e9", "٣G", "1 GG", "²"])
def test_anything_else_is_refused_in_one_line(text):
    with pytest.raises(ResourceError, match="expected a size such as 512M, 4G or 25%"):
        budget.parse_size(text)


def test_the_budget_is_half_the_machine_unless_set(monkeypatch):
    monkeypatch.delenv(budget.ENV, raising=False)
    machine = budget.machine_memory()
    assert 0 < machine and budget.budget() == machine // 2
    assert "half of this machine's memory" in budget.describe()
    monkeypatch.setenv(budget.ENV, "25%")
    assert budget.budget() == machine // 4
    monkeypatch.setenv(budget.ENV, "300M")
    assert budget.budget() == 300 << 20 and budget.describe() == f"the memory budget 300.0 MiB ({budget.ENV})"


@pytest.mark.parametrize("name", [n for n, _ in list_examples()])
def test_every_example_estimates_at_least_what_its_trace_holds(name):
    system, cfg, where = load_config(name)
    _, estimate = SYSTEMS[system].estimate(cfg)
    held = sum(r.data.nbytes for r in run_example(name).tensors.values())
    assert held <= estimate <= 200 * held + (1 << 20), (held, estimate)


def test_an_example_past_the_budget_is_refused_before_anything_is_built(monkeypatch):
    monkeypatch.setenv(budget.ENV, "10M")
    built = []
    system = SYSTEMS["autoencoder"]
    monkeypatch.setitem(SYSTEMS, "autoencoder", type(system)(system.name, system.config,
                                                           lambda *a: built.append(a), system.summary, system.estimate))
    with pytest.raises(ResourceError) as err:
        run_example("autoencoder_large")
    assert built == []
    assert str(err.value) == ("tracer/example_files/autoencoder_large.yaml:6: model.sizes: its tensors would take "
                              "about 79.4 MiB, more than the memory budget 10.0 MiB (TRACER_MEMORY_BUDGET)")


def test_the_cli_names_the_estimate_and_the_budget(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(budget.ENV, "10M")
    result = CliRunner().invoke(main, ["run", "autoencoder_large"])
    assert result.exit_code == 2 and result.stdout == "" and list(tmp_path.iterdir()) == []
    assert result.stderr == ("error: tracer/example_files/autoencoder_large.yaml:6: model.sizes: its tensors would "
                             "take about 79.4 MiB, more than the memory budget 10.0 MiB (TRACER_MEMORY_BUDGET)\n")
    monkeypatch.setenv(budget.ENV, "1G")
    assert CliRunner().invoke(main, ["run", "autoencoder_large"]).exit_code == 0


def test_a_recording_stops_once_its_tensors_pass_the_budget(monkeypatch):
    monkeypatch.setenv(budget.ENV, "1M")
    x = tracer.tensor([[1.0] * 100] * 100, name="x")  # 80 kB
    with pytest.raises(ResourceError, match=r"the trace being recorded holds 1\.\d MiB of tensors, more than the "
                                            r"memory budget 1.0 MiB \(TRACER_MEMORY_BUDGET\): record fewer steps"):
        with tracer.record():
            for _ in range(20):
                x = x * 2.0


def test_check_memory_blames_the_set_that_asked_for_it(monkeypatch):
    monkeypatch.setenv(budget.ENV, "1G")
    name, cfg, where = load_config("autoencoder", ["model.init=xavier", "model.sizes.1=100000000"])
    with pytest.raises(ResourceError, match=r"^--set model.sizes.1=100000000: its tensors would take about"):
        check_memory(name, cfg, where)
