"""Typed example configuration: a dataclass of defaults per system, overridden by YAML and ``--set``.

YAML is read with the safe composer only (nodes carry line numbers; no Python objects are ever
built). Every problem is a :class:`~tracer.errors.ConfigError` of one line naming the file, the
line and the key: an unknown key, a wrong type, a non-numeric or ragged matrix, a missing field,
malformed YAML, or a bad ``--set``.

>>> from dataclasses import dataclass, field
>>> @dataclass
... class Demo:
...     lr: float = 0.1
...     steps: int = 3
>>> cfg, where = load_text("lr: 0.5\\n", Demo, "demo.yaml")
>>> cfg.lr, cfg.steps
(0.5, 3)
>>> load_text("lr: fast\\n", Demo, "demo.yaml")
Traceback (most recent call last):
...
tracer.errors.ConfigError: demo.yaml:1: lr: expected a number, got 'fast'
"""
from __future__ import annotations

import copy
import dataclasses
import types
import typing
from typing import Any, Sequence

import numpy as np
import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ..errors import ConfigError
from ..safetext import ascii_int

INT, FLOAT, BOOL, NULL, STR = (f"tag:yaml.org,2002:{t}" for t in ("int", "float", "bool", "null", "str"))
MAX_NODES = 200_000  # a YAML file with more values than this is not an example


class Where:
    """Where each key of a configuration came from: a line of the file, or a ``--set``."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.lines: dict[str, int] = {}
        self.overrides: dict[str, str] = {}

    def __call__(self, key: str) -> str:
        """``file:line: key`` for the key or its nearest ancestor in the file."""
        if key in self.overrides:
            return f"--set {self.overrides[key]}"
        probe = key
        while probe:
            if probe in self.lines:
                return f"{self.file}:{self.lines[probe]}: {key}"
            probe = _parent(probe)
        return f"{self.file}: {key} (default)"

    def error(self, key: str, problem: str) -> ConfigError:
        return ConfigError(f"{self(key)}: {problem}")

    def given(self, key: str) -> bool:
        """Whether the file or a ``--set`` gave ``key`` (rather than the default)."""
        return key in self.lines or any(k == key or k.startswith(key + ".") for k in self.overrides)


def _parent(key: str) -> str:
    cut = max(key.rfind("."), key.rfind("["))
    return key[:cut] if cut > 0 else ""


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _line(node: Node) -> int:
    return node.start_mark.line + 1


# ---- reading YAML --------------------------------------------------------------------------
def compose(text: str, file: str) -> Node:
    """The YAML document as a node tree (safe composer), or a one-line ConfigError."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except RecursionError:
        raise ConfigError(f"{file}: malformed YAML: nested too deeply") from None
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = f":{mark.line + 1}" if mark else ""
        raise ConfigError(f"{file}{line}: malformed YAML: {e.problem or e.context}") from None
    except yaml.YAMLError as e:
        raise ConfigError(f"{file}: malformed YAML: {str(e).splitlines()[0]}") from None
    if node is None:
        raise ConfigError(f"{file}:1: the file is empty: expected a mapping with a 'system' key")
    if not isinstance(node, MappingNode):
        raise ConfigError(f"{file}:{_line(node)}: expected a mapping of keys at the top level")
    return node


class _Refused:
    """A scalar the safe loader will not build (``!!python/…``): reported, never constructed."""

    def __init__(self, tag: str) -> None:
        self.tag = tag

    def __repr__(self) -> str:
        return f"a value tagged {self.tag.replace('tag:yaml.org,2002:', '!!')}"


def _scalar(node: ScalarNode) -> Any:
    try:
        return yaml.constructor.SafeConstructor().construct_object(node)
    except yaml.YAMLError:
        return _Refused(node.tag)


def _describe(node: Node) -> str:
    if isinstance(node, ScalarNode):
        return repr(_scalar(node))
    return "a list" if isinstance(node, SequenceNode) else "a mapping"


class _Reader:
    """Converts a node tree into the types a dataclass declares, noting each key's line."""

    def __init__(self, where: Where) -> None:
        self.where = where
        self.seen: set[int] = set()

    def error(self, node: Node, key: str, problem: str) -> ConfigError:
        return ConfigError(f"{self.where.file}:{_line(node)}: {key or 'top level'}: {problem}")

    def visit(self, node: Node, key: str) -> None:
        if id(node) in self.seen:  # an alias (*name): shared nodes could multiply without end
            probe = key  # the line that uses the alias: the key's, or its nearest ancestor's
            while probe and probe not in self.where.lines:
                probe = _parent(probe)
            line = self.where.lines.get(probe, _line(node))
            raise ConfigError(f"{self.where.file}:{line}: {key}: YAML aliases (*name) are not supported in examples")
        self.seen.add(id(node))
        if len(self.seen) > MAX_NODES:
            raise self.error(node, key, f"more than {MAX_NODES} values: too large for an example")
        self.where.lines.setdefault(key, _line(node))

    def read(self, node: Node, tp: Any, key: str, default: Any = None, meta: Any = None) -> Any:
        self.visit(node, key)
        origin, args = typing.get_origin(tp), typing.get_args(tp)
        if origin in (typing.Union, types.UnionType):
            if isinstance(node, ScalarNode) and node.tag == NULL and type(None) in args:
                return None
            tp = next(a for a in args if a is not type(None))
            origin, args = typing.get_origin(tp), typing.get_args(tp)
        if dataclasses.is_dataclass(tp):
            return self.dataclass(node, tp, key, default)
        if tp is np.ndarray:
            return self.array(node, key)
        if origin is list:
            if not isinstance(node, SequenceNode):
                raise self.error(node, key, f"expected a list, got {_describe(node)}")
            return [self.read(item, args[0], f"{key}[{i}]") for i, item in enumerate(node.value)]
        if origin is dict:
            return self.mapping(node, args[1], key)
        return self.scalar(node, tp, key, meta)

    def scalar(self, node: Node, tp: Any, key: str, meta: Any = None) -> Any:
        if not isinstance(node, ScalarNode):
            raise self.error(node, key, f"expected {_kind(tp)}, got {_describe(node)}")
        return convert_scalar(node, tp, key, meta, lambda problem: self.error(node, key, problem))

    def mapping(self, node: Node, value_type: Any, key: str) -> dict[str, Any]:
        if not isinstance(node, MappingNode):
            raise self.error(node, key, f"expected a mapping, got {_describe(node)}")
        out: dict[str, Any] = {}
        for k_node, v_node in node.value:
            name = str(_scalar(k_node)) if isinstance(k_node, ScalarNode) else "?"
            if name in out:
                raise self.error(k_node, _join(key, name), "the key appears twice")
            self.where.lines[_join(key, name)] = _line(k_node)
            out[name] = self.read(v_node, value_type, _join(key, name))
        return out

    def dataclass(self, node: Node, cls: Any, key: str, default: Any) -> Any:
        if not isinstance(node, MappingNode):
            raise self.error(node, key, f"expected a mapping of keys, got {_describe(node)}")
        obj = copy.deepcopy(default) if default is not None else cls()
        fields = {f.name: f for f in dataclasses.fields(cls)}
        hints = typing.get_type_hints(cls)
        given: set[str] = set()
        for k_node, v_node in node.value:
            name = str(_scalar(k_node)) if isinstance(k_node, ScalarNode) else "?"
            full = _join(key, name)
            if name not in fields:
                known = ", ".join(fields)
                raise self.error(k_node, full, f"unknown key (known keys: {known})")
            if name in given:
                raise self.error(k_node, full, "the key appears twice")
            given.add(name)
            self.where.lines[full] = _line(k_node)
            setattr(obj, name, self.read(v_node, hints[name], full, getattr(obj, name),
                                         fields[name].metadata))
        for name, f in fields.items():
            if f.metadata.get("required") and name not in given:
                raise self.error(node, _join(key, name), "missing field")
        return obj

    def array(self, node: Node, key: str) -> np.ndarray:
        def walk(n: Node, k: str) -> Any:
            self.visit(n, k)
            if isinstance(n, SequenceNode):
                return [walk(item, f"{k}[{i}]") for i, item in enumerate(n.value)]
            if isinstance(n, ScalarNode) and n.tag in (INT, FLOAT):
                return float(_scalar(n))
            raise self.error(n, k, f"non-numeric entry {_describe(n)}")
        if not isinstance(node, SequenceNode):
            raise self.error(node, key, f"expected a list of numbers (a vector or a matrix), got {_describe(node)}")
        self.seen.discard(id(node))
        data = walk(node, key)
        try:
            arr = np.array(data, dtype=np.float64)
        except ValueError:
            raise self.error(node, key, "rows of different lengths (a matrix must be rectangular)") from None
        if not np.all(np.isfinite(arr)):
            raise self.error(node, key, "entries must be finite numbers (no .nan or .inf)")
        return arr


def _kind(tp: Any) -> str:
    return {int: "a whole number", float: "a number", bool: "true or false", str: "text"}.get(tp, "a value")


def convert_scalar(node: ScalarNode, tp: Any, key: str, meta: Any, error: Any) -> Any:
    """One YAML scalar as ``tp`` (``int``, ``float``, ``bool``, ``str``), checked against choices."""
    value = _scalar(node)
    if tp is bool:
        ok = node.tag == BOOL
    elif tp is int:
        ok = node.tag == INT
    elif tp is float:
        ok = node.tag in (INT, FLOAT)
        value = float(value) if ok else value
        if ok and not np.isfinite(value):
            raise error("expected a finite number")
    elif tp is str:
        ok = node.tag == STR
    else:
        ok = True
    if not ok:
        raise error(f"expected {_kind(tp)}, got {value!r}")
    meta = meta or {}
    if "choices" in meta and value not in meta["choices"]:
        raise error(f"{value!r} is not one of {', '.join(map(str, meta['choices']))}")
    if "min" in meta and value < meta["min"]:
        raise error(f"must be at least {meta['min']}, got {value}")
    if "max" in meta and value > meta["max"]:
        raise error(f"must be at most {meta['max']}, got {value}")
    return value


def read_config(node: Node, cls: Any, where: Where, default: Any = None) -> Any:
    """Read a composed document over the defaults of dataclass ``cls``, noting lines in ``where``."""
    try:
        return _Reader(where).read(node, cls, "", default)
    except RecursionError:
        raise ConfigError(f"{where.file}: nested too deeply") from None


def load_text(text: str, cls: Any, file: str, default: Any = None) -> tuple[Any, Where]:
    """Read ``text`` over the defaults of dataclass ``cls``; returns the config and its :class:`Where`."""
    where = Where(file)
    return read_config(compose(text, file), cls, where, default), where


# ---- names in other languages ------------------------------------------------------------------
def check_names(table: dict[str, dict[str, str]], where: Where, key: str, languages: Sequence[str],
                most: int, longest: int) -> dict[str, dict[str, str]]:
    """A table of names in other languages (``label_names``: name → {language: text}), read as
    text by the reader, checked: each language one of ``languages`` (any case: ``zh-hant`` is
    ``zh-Hant``), at most ``most`` names, each text 1 to ``longest`` characters.

    >>> where = Where("x.yaml")
    >>> check_names({"go": {"VI": "đi"}}, where, "label_names", ("en", "vi"), 10, 20)
    {'go': {'vi': 'đi'}}
    >>> check_names({"go": {"fr": "aller"}}, where, "label_names", ("en", "vi"), 10, 20)
    Traceback (most recent call last):
    ...
    tracer.errors.ConfigError: x.yaml: label_names.go.fr (default): unknown language 'fr' (one of en, vi)
    """
    if len(table) > most:
        raise where.error(key, f"{len(table)} names, more than the {most} a table may translate")
    known = {lang.lower(): lang for lang in languages}
    out: dict[str, dict[str, str]] = {}
    for name, entry in table.items():
        if not name or len(name) > longest:
            raise where.error(_join(key, name), f"a name of 1 to {longest} characters")
        out[name] = {}
        for lang, text in entry.items():
            at = _join(_join(key, name), lang)
            if lang.lower() not in known:
                raise where.error(at, f"unknown language {lang!r} (one of {', '.join(languages)})")
            if not 0 < len(text) <= longest:
                raise where.error(at, f"expected a text of 1 to {longest} characters")
            out[name][known[lang.lower()]] = text
    return out


# ---- --set key=value -----------------------------------------------------------------------
def apply_overrides(cfg: Any, overrides: Sequence[str], where: Where) -> Any:
    """Set scalars from ``key=value`` strings (dotted keys; a number picks a list or matrix entry)."""
    for text in overrides:
        key, eq, value = text.partition("=")
        key = key.strip()
        if not eq or not key:
            raise ConfigError(f"--set {text}: expected key=value, e.g. training.lr=0.1")
        _set(cfg, key, value.strip(), text, where)
    return cfg


def _set(cfg: Any, key: str, value: str, text: str, where: Where) -> None:
    def fail(problem: str) -> ConfigError:
        return ConfigError(f"--set {text}: {key}: {problem}")
    try:
        node = yaml.compose(value or "''", Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        raise fail(f"cannot read the value {value!r}") from None
    if not isinstance(node, ScalarNode):
        raise fail("only a single value (a number, text, true/false) can be set")
    parts = key.split(".")
    obj: Any = cfg
    tp: Any = type(cfg)
    meta: Any = {}
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if dataclasses.is_dataclass(obj):
            fields = {f.name: f for f in dataclasses.fields(obj)}
            if part not in fields:
                raise fail(f"unknown key {part!r} (known keys: {', '.join(fields)})")
            tp, meta = typing.get_type_hints(type(obj))[part], fields[part].metadata
            tp = next((a for a in typing.get_args(tp) if a is not type(None)), tp) \
                if typing.get_origin(tp) in (typing.Union, types.UnionType) else tp
            if last:
                _leaf(obj, part, node, tp, meta, fail, setattr)
            else:
                obj = getattr(obj, part)
        elif isinstance(obj, dict):
            if part not in obj:
                raise fail(f"unknown key {part!r} (known keys: {', '.join(obj)})")
            if last:
                _leaf(obj, part, node, _dict_value_type(tp), {}, fail, dict.__setitem__)
            else:
                obj, tp = obj[part], _dict_value_type(tp)
        elif isinstance(obj, (list, np.ndarray)):
            try:
                idx = ascii_int(part)
            except ValueError:
                idx = None
            if idx is None or not -len(obj) <= idx < len(obj):
                raise fail(f"{part!r} is not an index of a list of {len(obj)}")
            if isinstance(obj, np.ndarray):
                if obj.ndim == 1 and not last:
                    raise fail(f"entry {idx} is a single number")
                if obj.ndim > 1 and last:
                    raise fail("this is a row: give a column index too, e.g. weights.W1.0.1=2")
                if last:
                    _leaf(obj, idx, node, float, {}, fail, np.ndarray.__setitem__)
                else:
                    obj = obj[idx]  # a view: writing into it writes into the matrix
            else:
                elem = (typing.get_args(tp) or (Any,))[0]
                if last:
                    _leaf(obj, idx, node, elem, meta, fail, list.__setitem__)
                else:
                    obj, tp = obj[idx], elem
        else:
            raise fail(f"{'.'.join(parts[:i])} is a single value, it has no {part!r}")
    where.overrides[key] = text


def _dict_value_type(tp: Any) -> Any:
    args = typing.get_args(tp)
    return args[1] if len(args) == 2 else Any


def _leaf(obj: Any, part: Any, node: ScalarNode, tp: Any, meta: Any, fail: Any, put: Any) -> None:
    if tp is np.ndarray or dataclasses.is_dataclass(tp) or typing.get_origin(tp) in (list, dict):
        raise fail("is not a single value: set one entry (e.g. weights.W1.0.1=2) or edit the YAML")
    put(obj, part, convert_scalar(node, tp, str(part), meta, fail))
