"""The option types the ``tracer`` commands share: a whole number typed in ASCII digits and the
narration languages (the same as :data:`tracer.i18n.LANGUAGES`, named here so that a command's
``--help`` imports nothing of the library).
"""
from __future__ import annotations

from typing import Any

import click

from .safetext import ascii_int

LANGUAGES = ("en", "zh-Hant", "zh-Hans", "vi")  # tracer.i18n.LANGUAGES, without importing it here
LANG = click.Choice(LANGUAGES, case_sensitive=False)


class Whole(click.IntRange):
    """click's IntRange reading ASCII digits only (``int()`` alone reads ``٣`` as 3)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str):
            try:
                ascii_int(value)
            except ValueError:
                self.fail(f"{value!r} is not a whole number", param, ctx)
        return super().convert(value, param, ctx)
