"""Bad and hostile command lines and example files: each with the exact line the CLI must print
(after ``error: ``) and the exit code it must give.

A case runs in an empty folder holding ``good.trace`` (see :mod:`tests.hostile_traces`) and the
files it names; ``TRACER_MEMORY_BUDGET`` is 1G, so budget messages read the same on any machine.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

import tracer.examples
from tracer.systems import SYSTEMS

BUILTIN = str(tracer.examples.EXAMPLES_DIR / "autoencoder.yaml")
BUDGET = "more than the memory budget 1.0 GiB (TRACER_MEMORY_BUDGET)"


@dataclass
class Case:
    args: list[str]
    message: str
    files: dict[str, bytes | str] = field(default_factory=dict)  # bytes, "dir", "fifo", "->link", "=>hard link"
    code: int = 2
    env: dict[str, str] = field(default_factory=dict)
    traced: bool = True  # allocations measured (tracemalloc slows deep recursion a hundredfold)


def make(folder: Path, files: dict[str, bytes | str]) -> None:
    import os

    for name, content in files.items():
        path = folder / name
        if content == "dir":
            path.mkdir()
        elif content == "fifo":
            os.mkfifo(path)
        elif isinstance(content, str) and content.startswith("->"):
            path.symlink_to(content[2:])
        elif isinstance(content, str) and content.startswith("=>"):
            os.link(folder / content[2:], path)
        else:
            path.write_bytes(content)


def yaml(text: str) -> dict[str, bytes]:
    return {"x.yaml": text.encode()}


AE = "system: autoencoder\nmodel:\n  init: xavier\n  sizes: "
SYSTEM_NAMES = ", ".join(sorted(SYSTEMS))
AE_KEYS = ", ".join(f.name for f in dataclasses.fields(SYSTEMS["autoencoder"].config))

CASES: dict[str, Case] = {
    # ---- paths that are not trace files -----------------------------------------------------------
    "show a missing file": Case(["show", "nothing.trace"], "nothing.trace: no such file"),
    "show a folder": Case(["show", "d.trace"], "d.trace: is a directory, not a regular file", {"d.trace": "dir"}),
    "show /dev/zero": Case(["show", "/dev/zero"], "/dev/zero: is a character device, not a regular file"),
    "show a pipe": Case(["show", "p.trace"], "p.trace: is a pipe, not a regular file", {"p.trace": "fifo"}),
    "show a link to /dev/zero": Case(["show", "z.trace"], "z.trace: is a character device, not a regular file",
                                     {"z.trace": "->/dev/zero"}),
    "show a path with a newline": Case(["show", "a\nb.trace"], "a\\nb.trace: no such file"),
    "show a path with ESC and BEL": Case(["show", "\x1b]0;pwned\x07.trace"], "\\x1b]0;pwned\\x07.trace: no such file"),
    "show a path with a C1 CSI": Case(["show", "a\x9b31mb.trace"], "a\\x9b31mb.trace: no such file"),
    "step a folder": Case(["step", "d.trace"], "d.trace: is a directory, not a regular file", {"d.trace": "dir"}),
    "export a pipe": Case(["export", "p.trace", "--perfetto", "o.json"], "p.trace: is a pipe, not a regular file",
                          {"p.trace": "fifo"}),
    # ---- step ids, cells, depths: ASCII digits only -----------------------------------------------
    "--step superscript two": Case(["show", "good.trace", "--step", "²"], "no step named '²' in the trace"),
    "--step Arabic-Indic three": Case(["show", "good.trace", "--step", "٣"], "no step named '٣' in the trace"),
    "--step with an underscore": Case(["show", "good.trace", "--step", "1_0"], "no step named '1_0' in the trace"),
    "--step -1": Case(["show", "good.trace", "--step", "-1"], "no step -1: the trace has steps 0..25"),
    "--step of 20 digits": Case(["show", "good.trace", "--step", "9" * 20],
                                f"no step {'9' * 20}: the trace has steps 0..25"),
    "--step with ESC": Case(["show", "good.trace", "--step", "\x1b[2J"], "no step named '\\x1b[2J' in the trace"),
    "--cell superscript": Case(["show", "good.trace", "--step", "2", "--cell", "²,0"],
                               "Invalid value for --cell: expected numbers like 1,2, got '²,0' (see 'tracer show --help')"),
    "--cell outside": Case(["show", "good.trace", "--step", "2", "--cell", "9,9"],
                           "Invalid value for --cell: cell 9,9 is outside H of shape (3, 1) "
                           "(see 'tracer show --help')"),
    "--depth Arabic-Indic one": Case(["show", "good.trace", "--depth", "١"],
                                     "Invalid value for '--depth': '١' is not a whole number (see 'tracer show --help')"),
    "--lang unknown": Case(["show", "good.trace", "--lang", "xx"],
                           "Invalid value for '--lang': 'xx' is not one of 'en', 'zh-hant', 'zh-hans', 'vi'. "
                           "(see 'tracer show --help')"),
    # ---- outputs that would destroy an input or are not files -------------------------------------
    "export onto its own trace": Case(["export", "good.trace", "--perfetto", "good.trace"],
                                      "--perfetto good.trace: is the input good.trace: refusing to overwrite it"),
    "export onto a hard link of the trace": Case(["export", "good.trace", "--perfetto", "same.json"],
                                                 "--perfetto same.json: is the input good.trace: refusing to "
                                                 "overwrite it", {"same.json": "=>good.trace"}),
    "export onto a symlink to the trace": Case(["export", "good.trace", "--perfetto", "link.json"],
                                               "--perfetto link.json: is the input good.trace: refusing to overwrite it",
                                               {"link.json": "->good.trace"}),
    "export to /dev/null": Case(["export", "good.trace", "--perfetto", "/dev/null"],
                                "--perfetto /dev/null: is a character device, not a regular file: refusing to "
                                "write there"),
    "export to a folder": Case(["export", "good.trace", "--perfetto", "out"],
                               "--perfetto out: is a directory, not a regular file: refusing to write there",
                               {"out": "dir"}),
    "export to a name ending in /": Case(["export", "good.trace", "--perfetto", "out/"],
                                         "--perfetto out/: names a folder, not a file"),
    "export into a missing folder": Case(["export", "good.trace", "--perfetto", "no/such/x.json"],
                                         "--perfetto no/such/x.json: there is no folder {d}/no/such"),
    "export to a pipe": Case(["export", "good.trace", "--perfetto", "p.json"],
                             "--perfetto p.json: is a pipe, not a regular file: refusing to write there",
                             {"p.json": "fifo"}),
    "render onto its own trace": Case(["render", "good.trace", "--format", "png", "-o", "good.trace"],
                                      "-o good.trace: is the input good.trace: refusing to overwrite it"),
    "render to /dev/zero": Case(["render", "good.trace", "-o", "/dev/zero"],
                                "-o /dev/zero: is a character device, not a regular file: refusing to write there"),
    "run onto its own YAML": Case(["run", "x.yaml", "-o", "x.yaml"],
                                  "-o x.yaml: is the input x.yaml: refusing to overwrite it",
                                  yaml("system: normalization\n")),
    "run onto the built-in example": Case(["run", "autoencoder", "-o", BUILTIN],
                                          f"-o {BUILTIN}: is the input {BUILTIN}: refusing to overwrite it"),
    "run to a folder by default": Case(["run", "normalization"],
                                       "-o normalization.trace: is a directory, not a regular file: refusing to "
                                       "write there", {"normalization.trace": "dir"}),
    "run to /dev/full": Case(["run", "normalization", "-o", "/dev/full"],
                             "-o /dev/full: is a character device, not a regular file: refusing to write there"),
    # ---- --set ------------------------------------------------------------------------------------
    "--set a superscript index": Case(["run", "autoencoder", "--set", "weights.W1.²=1"],
                                      "--set weights.W1.²=1: weights.W1.²: '²' is not an index of a list of 3"),
    "--set an Arabic-Indic index": Case(["run", "autoencoder", "--set", "weights.W1.٠.٠=1"],
                                        "--set weights.W1.٠.٠=1: weights.W1.٠.٠: '٠' is not an index of a list of 3"),
    "--set without =": Case(["run", "autoencoder", "--set", "training.lr"],
                            "Invalid value for --set: expected KEY=VALUE, got 'training.lr' "
                            "(see 'tracer run --help')"),
    "--set the system": Case(["run", "autoencoder", "--set", "system=mlp"],
                             "--set system=...: the system is chosen by the file, not overridden"),
    "--set an unknown key": Case(["run", "autoencoder", "--set", "training.speed=9"],
                                 "--set training.speed=9: training.speed: unknown key 'speed' (known keys: loss, "
                                 "optimizer, lr, steps, record)"),
    "--set 1e9 steps": Case(["run", "autoencoder", "--set", "training.steps=1e9"],
                            "--set training.steps=1e9: training.steps: expected a whole number, got '1e9'"),
    "--set too many steps": Case(["run", "autoencoder", "--set", "training.steps=100001"],
                                 "--set training.steps=100001: training.steps: must be at most 100000, got 100001"),
    "--set a billion-wide layer": Case(["run", "autoencoder", "--set", "model.init=xavier",
                                        "--set", "model.sizes.1=1000000000"],
                                       "--set model.sizes.1=1000000000: its tensors would take about 2.5 TiB, " + BUDGET),
    "--set a tag": Case(["run", "perceptron", "--set", "threshold=!!python/object/apply:os.system [ls]"],
                        "--set threshold=!!python/object/apply:os.system [ls]: threshold: only a single value "
                        "(a number, text, true/false) can be set"),
    "budget of bananas": Case(["run", "normalization"], "TRACER_MEMORY_BUDGET='bananas': expected a size such as "
                              "512M, 4G or 25%", env={"TRACER_MEMORY_BUDGET": "bananas"}),
    # ---- example files ----------------------------------------------------------------------------
    "run a missing file": Case(["run", "nothing.yaml"], "nothing.yaml: no such file"),
    "run a folder": Case(["run", "x.yaml"], "x.yaml: is a directory, not a regular file", {"x.yaml": "dir"}),
    "run a pipe": Case(["run", "x.yaml"], "x.yaml: is a pipe, not a regular file", {"x.yaml": "fifo"}),
    "run /dev/zero": Case(["run", "/dev/zero"], "/dev/zero: is a character device, not a regular file"),
    "run an unknown name": Case(["run", "autoencoderz"],
                                "autoencoderz: no such file, and no built-in example of that name (try one of: "
                                + ", ".join(n for n, _ in tracer.examples.list_examples()) + ")"),
    "empty YAML": Case(["run", "x.yaml"], "x.yaml:1: the file is empty: expected a mapping with a 'system' key",
                       yaml("")),
    "YAML list": Case(["run", "x.yaml"], "x.yaml:1: expected a mapping of keys at the top level", yaml("- 1\n- 2\n")),
    "YAML unclosed bracket": Case(["run", "x.yaml"], "x.yaml:3: malformed YAML: expected ',' or ']', but got '<stream end>'",
                                  yaml("system: mlp\nmodel: {sizes: [1, 2\n")),
    "YAML tab indentation": Case(["run", "x.yaml"], "x.yaml:2: malformed YAML: found character '\\t' that cannot "
                                 "start any token", yaml("system: mlp\n\tmodel: 1\n")),
    "YAML not UTF-8": Case(["run", "x.yaml"], "x.yaml: not UTF-8 text", {"x.yaml": b"system: \xff\xfe\n"}),
    "YAML of NUL bytes": Case(["run", "x.yaml"], "x.yaml: malformed YAML: unacceptable character #x0000: special "
                              "characters are not allowed",
                              {"x.yaml": b"\0\0\0"}),
    "YAML of 3 MB": Case(["run", "x.yaml"], "x.yaml: larger than 2 MB: not an example file",
                         yaml("# " + "x" * 3_000_000 + "\n")),
    "YAML nested 10000 deep": Case(["run", "x.yaml"], "x.yaml: malformed YAML: nested too deeply",
                                   yaml("system: mlp\nmodel: " + "[" * 10_000 + "]" * 10_000 + "\n"), traced=False),
    "YAML billion laughs": Case(["run", "x.yaml"], "x.yaml:3: compare[0]: YAML aliases (*name) are not supported "
                                "in examples", yaml("system: word_autoencoder\ncorpus: &a [\"a b\", \"c d\"]\n"
                                                    "compare: [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n")),
    "YAML python object": Case(["run", "x.yaml"], "x.yaml:2: title: expected text, got a list",
                               yaml("system: normalization\ntitle: !!python/object/apply:os.system [echo pwned]\n")),
    "YAML python name": Case(["run", "x.yaml"], "x.yaml:2: title: expected text, got a value tagged "
                             "!!python/name:os.system", yaml("system: normalization\ntitle: !!python/name:os.system\n")),
    "YAML without a system": Case(["run", "x.yaml"], f"x.yaml:1: system: missing field (one of {SYSTEM_NAMES})",
                                  yaml("title: x\n")),
    "YAML of an unknown system": Case(["run", "x.yaml"], f"x.yaml:1: system: 'skynet' is not one of {SYSTEM_NAMES}",
                                      yaml("system: skynet\n")),
    "YAML unknown key": Case(["run", "x.yaml"], f"x.yaml:2: colour: unknown key (known keys: {AE_KEYS})",
                             yaml("system: autoencoder\ncolour: blue\n")),
    "YAML key twice": Case(["run", "x.yaml"], "x.yaml:3: title: the key appears twice",
                           yaml("system: normalization\ntitle: a\ntitle: b\n")),
    "YAML learning rate of text": Case(["run", "x.yaml"], "x.yaml:3: training.lr: expected a number, got 'fast'",
                                       yaml("system: autoencoder\ntraining:\n  lr: fast\n")),
    "YAML ragged matrix": Case(["run", "x.yaml"], "x.yaml:3: weights.W: rows of different lengths (a matrix must be "
                               "rectangular)", yaml("system: perceptron\nweights:\n  W: [[1, 2], [3]]\n")),
    "YAML NaN weights": Case(["run", "x.yaml"], "x.yaml:3: weights.W: entries must be finite numbers (no .nan or .inf)",
                             yaml("system: perceptron\nweights:\n  W: [.nan, 1, 2]\n")),
    "YAML sizes 1e9": Case(["run", "x.yaml"], "x.yaml:4: model.sizes[1]: expected a whole number, got '1e9'",
                           yaml(AE + "[4, 1e9, 4]\n")),
    "YAML a billion-wide layer": Case(["run", "x.yaml"], "x.yaml:4: model.sizes: its tensors would take about "
                                      "2.8 TiB, " + BUDGET, yaml(AE + "[4, 1000000000, 4]\n")),
    "YAML a layer of 10**30": Case(["run", "x.yaml"], "x.yaml:4: model.sizes: its tensors would take about more than "
                                   "1024 EiB, " + BUDGET, yaml(AE + "[4, 1000000000000000000000000000000, 4]\n")),
    "YAML negative sizes": Case(["run", "x.yaml"], "x.yaml:4: model.sizes: expected at least 3 positive layer sizes, "
                                "got [4, -3, 4]", yaml(AE + "[4, -3, 4]\n")),
    "YAML ten thousand samples of a wide layer": Case(
        ["run", "x.yaml"], "x.yaml:4: model.sizes: its tensors would take about 71.6 GiB, " + BUDGET,
        yaml(AE + "[20000, 10, 20000]\ndata:\n  source: patterns\n  samples: 10000\ntraining:\n  steps: 1\n")),
    "YAML 8000 attention tokens": Case(
        ["run", "x.yaml"], "x.yaml:2: tokens: its tensors would take about 17.2 GiB, " + BUDGET,
        yaml("system: self_attention\ntokens: [" + ", ".join(["t"] * 8000) + "]\n")),
    "YAML a recurrent cell of 100000 units": Case(
        ["run", "x.yaml"], "x.yaml:4: model.hidden: its tensors would take about 2.9 TiB, " + BUDGET,
        yaml("system: recurrent\nmodel:\n  cell: lstm\n  hidden: 100000\n  init: xavier\n")),
    "YAML a language model of width 10**6": Case(
        ["run", "x.yaml"], "x.yaml:3: model.d: its tensors would take about 232.8 TiB, " + BUDGET,
        yaml("system: next_token\nmodel:\n  d: 1000000\n")),
    "YAML a vocabulary of 15000 words": Case(
        ["run", "x.yaml"], "x.yaml:2: corpus: its tensors would take about 120.7 GiB, " + BUDGET,
        yaml("system: word_autoencoder\ncorpus: [\"" + " ".join(f"w{i}" for i in range(15_000)) + "\"]\n"
             "compare: [w1]\n")),
}
