"""Runnable examples: a YAML file (or the name of a built-in one) becomes a recorded trace.

A file names its ``system`` and overrides that system's typed defaults; ``overrides`` are
``key=value`` strings (``training.lr=0.1``, ``weights.W1.0.1=2``) applied on top. Every problem is
a :class:`~tracer.errors.ConfigError` of one line naming the file, the line and the key; an
example whose tensors would not fit the memory budget is refused before it builds anything
(:class:`~tracer.errors.ResourceError`, :mod:`tracer.budget`).

The built-in examples ship inside the package (``tracer/example_files``, a link to the
repository's ``examples/`` folder that a wheel copies), so an installed tracer finds them too.

>>> from tracer.examples import list_examples, run_example
>>> dict(list_examples())["normalization"]
'Min-max normalisation of five exam scores: 90 80 70 60 50 become 1 0.75 0.5 0.25 0.'
>>> trace = run_example("normalization")
>>> trace.step("minmax.normalized").op, trace.meta["example"]
('div', 'normalization')
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence

from yaml.nodes import ScalarNode

from . import budget
from .errors import ConfigError
from .files import open_regular
from .i18n import LANGUAGES
from .label_names import MAX_NAMES, MAX_TEXT
from .sources import portable_path
from .systems import SYSTEMS
from .systems.common import plain
from .systems.schema import Where, apply_overrides, check_names, compose, read_config
from .trace import Trace

EXAMPLES_DIR = Path(__file__).parent / "example_files"  # package data: ../examples in a checkout
MAX_BYTES = 2_000_000


def examples_dir() -> Path:
    """The directory of the built-in examples, or a ConfigError saying where it was looked for."""
    if not EXAMPLES_DIR.is_dir():
        raise ConfigError(f"the built-in examples are missing: no directory {EXAMPLES_DIR} "
                          "(reinstall tracer: pip install .)")
    return EXAMPLES_DIR


def list_examples() -> list[tuple[str, str]]:
    """``(name, one-line description)`` of every built-in example, sorted by name."""
    out = []
    for path in sorted(examples_dir().glob("*.yaml")):
        try:
            node = compose(_read_text(path, path.name), path.name)
            values = {k.value: v for k, v in node.value if isinstance(k, ScalarNode)}
            desc = values.get("description")
            line = " ".join(str(desc.value).split()) if isinstance(desc, ScalarNode) else ""
        except (ConfigError, OSError, UnicodeDecodeError) as e:
            line = f"(unreadable: {e})"
        out.append((path.stem, line))
    return out


def _display(path: Path) -> str:
    """How a file is named in messages: a built-in one from the package
    (``tracer/example_files/autoencoder.yaml``), any other relative to the working directory when
    inside it."""
    if path.parent == EXAMPLES_DIR:
        return portable_path(str(path))
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return str(path)
    return str(path) if rel.startswith("..") else rel


def resolve(source: str) -> Path:
    """A YAML path as given, or the built-in example of that name."""
    path = Path(source)
    if path.suffix in (".yaml", ".yml") or os.sep in source or "/" in source:
        if not path.exists():
            raise ConfigError(f"{source}: no such file")
        return path
    builtin = examples_dir() / f"{source}.yaml"
    if builtin.is_file():
        return builtin
    if path.is_file():
        return path
    names = ", ".join(name for name, _ in list_examples())
    raise ConfigError(f"{source}: no such file, and no built-in example of that name (try one of: {names})")


def load_config(source: str, overrides: Sequence[str] = ()) -> tuple[str, object, Where]:
    """Read and validate an example: ``(system name, configuration, where each key came from)``."""
    path = resolve(source)
    file = _display(path)
    node = compose(_read_text(path, file), file)
    keys = {k.value: (k, v) for k, v in node.value if isinstance(k, ScalarNode)}
    if "system" not in keys:
        raise ConfigError(f"{file}:{node.start_mark.line + 1}: system: missing field "
                          f"(one of {', '.join(sorted(SYSTEMS))})")
    k_node, v_node = keys["system"]
    name = v_node.value if isinstance(v_node, ScalarNode) else None
    if name not in SYSTEMS:
        raise ConfigError(f"{file}:{v_node.start_mark.line + 1}: system: {name!r} is not one of "
                          f"{', '.join(sorted(SYSTEMS))}")
    where = Where(file)
    cfg = read_config(node, SYSTEMS[name].config, where)
    if any(o.partition("=")[0].strip() == "system" for o in overrides):
        raise ConfigError("--set system=...: the system is chosen by the file, not overridden")
    apply_overrides(cfg, overrides, where)
    cfg.label_names = check_names(cfg.label_names, where, "label_names", LANGUAGES, MAX_NAMES, MAX_TEXT)
    return name, cfg, where


def _read_text(path: Path, file: str) -> str:
    """A regular file of UTF-8 text of at most MAX_BYTES, read no further than that."""
    with open_regular(path, ConfigError) as fh:
        data = fh.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ConfigError(f"{file}: larger than {MAX_BYTES // 1_000_000} MB: not an example file")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{file}: not UTF-8 text") from None


def check_memory(name: str, cfg: object, where: Where) -> None:
    """Refuse, before anything is built, an example whose tensors would exceed the memory budget."""
    key, need = SYSTEMS[name].estimate(cfg)
    blamed = next((f"--set {text}" for k, text in where.overrides.items() if k == key or k.startswith(key + ".")),
                  where(key))
    budget.check(need, blamed)


def run_example(source: str, overrides: Sequence[str] = ()) -> Trace:
    """Run the example ``source`` (a YAML path or a built-in name) and return its trace.

    Parameters
    ----------
    source : str
        ``examples/autoencoder.yaml``, ``my.yaml`` or a built-in name such as ``autoencoder``.
    overrides : sequence of str
        ``key=value`` strings; dotted keys reach nested sections, a number picks a list or matrix
        entry, values are read as YAML scalars (``training.steps=3``, ``weights.W1.0.1=-1``).

    Raises
    ------
    ConfigError
        One line naming the file, line and key of the problem.
    ResourceError
        The example's tensors would take more memory than the budget (:mod:`tracer.budget`).
    """
    name, cfg, where = load_config(source, overrides)
    check_memory(name, cfg, where)
    trace = SYSTEMS[name].build(cfg, where)
    path = resolve(source)
    trace.meta.update(plain({
        "example": path.stem, "system": name, "title": cfg.title, "description": " ".join(cfg.description.split()),
        "source": portable_path(str(path)), "overrides": list(overrides),
        "layout": trace.meta.get("layout", "columns"),
    }))
    if cfg.label_names:   # a system whose story says its labels has put them there already
        trace.meta.setdefault("label_names", plain(cfg.label_names))
    return trace
