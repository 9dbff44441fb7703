"""The example systems: each is a typed configuration (a dataclass of defaults) and a function that
builds the model from it, runs it, and returns the recorded :class:`~tracer.Trace`.

``tracer.examples`` reads a YAML file, picks the system its ``system:`` key names, and calls it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import tracer

from .schema import Where


@dataclass(frozen=True)
class System:
    name: str
    config: type
    build: Callable[[Any, Where], tracer.Trace]
    summary: str


SYSTEMS: dict[str, System] = {}


def system(name: str, config: type, summary: str) -> Callable[[Callable[[Any, Where], tracer.Trace]], Callable[[Any, Where], tracer.Trace]]:
    """Register ``build(cfg, where) -> Trace`` as the system ``name`` configured by ``config``."""
    def deco(build: Callable[[Any, Where], tracer.Trace]) -> Callable[[Any, Where], tracer.Trace]:
        SYSTEMS[name] = System(name, config, build, summary)
        return build
    return deco


from . import (basics, autoencoders, transformers, language, recurrent, gradients, through_time,  # noqa: E402,F401
               rnn_vs_attention, pretrained)
