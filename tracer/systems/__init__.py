"""The example systems: each is a typed configuration (a dataclass of defaults) and a function that
builds the model from it, runs it, and returns the recorded :class:`~tracer.Trace`.

``tracer.examples`` reads a YAML file, picks the system its ``system:`` key names, checks the
system's estimate of the memory its tensors will take against the budget (:mod:`tracer.budget`),
and calls it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import tracer

from .common import given_arrays
from .schema import Where

# (the configuration key whose sizes drive it, bytes the tensors of a run will take at most)
Estimate = Callable[[Any], tuple[str, int]]


@dataclass(frozen=True)
class System:
    name: str
    config: type
    build: Callable[[Any, Where], tracer.Trace]
    summary: str
    estimate: Estimate = given_arrays


SYSTEMS: dict[str, System] = {}


def system(name: str, config: type, summary: str, estimate: Estimate = given_arrays) -> Callable[[Callable[[Any, Where], tracer.Trace]], Callable[[Any, Where], tracer.Trace]]:
    """Register ``build(cfg, where) -> Trace`` as the system ``name`` configured by ``config``;
    ``estimate(cfg)`` tells the memory a run will take before it starts (default: from the
    arrays the configuration gives)."""
    def deco(build: Callable[[Any, Where], tracer.Trace]) -> Callable[[Any, Where], tracer.Trace]:
        SYSTEMS[name] = System(name, config, build, summary, estimate)
        return build
    return deco


from . import (basics, autoencoders, transformers, language, recurrent, gradients, through_time,  # noqa: E402,F401
               rnn_vs_attention, pretrained)
