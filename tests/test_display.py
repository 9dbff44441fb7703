"""The shared rounding rule."""
from __future__ import annotations

import numpy as np

from tracer.display import NumberFormat, elide, fmt, number_format, shown


def test_integers_read_as_integers_and_fractions_with_two_decimals() -> None:
    assert number_format(np.array([1.0, -3.0, 40.0])) == NumberFormat(0)
    assert number_format(np.array([0.5, 2.0])) == NumberFormat(2)
    assert fmt(-0.004, NumberFormat(2)) == "0.00"  # never "-0.00"
    assert fmt(-1.5, NumberFormat(2), minus="−") == "−1.50"


def test_tiny_and_huge_values_use_scientific_notation() -> None:
    nf = number_format(np.array([1e-7, 3e-6]))
    assert nf.sci and fmt(3e-6, nf) == "3.00e-06" and fmt(0.0, nf) == "0"
    assert number_format(np.array([12345.5])).sci


def test_non_finite_values_have_symbols_and_do_not_pick_the_format() -> None:
    nf = number_format(np.array([-np.inf, 1.0, np.nan]))
    assert nf == NumberFormat(0)
    assert [fmt(v, nf, minus="−") for v in (-np.inf, np.inf, np.nan)] == ["−∞", "∞", "nan"]


def test_shown_is_the_number_a_reader_sees() -> None:
    assert shown(0.3333, NumberFormat(2)) == 0.33
    assert shown(2.0, NumberFormat(0)) == 2.0


def test_elide_keeps_corners() -> None:
    assert elide(5, keep=2) == [0, 1, 2, 3, 4]
    assert elide(1000, keep=2) == [0, 1, None, 998, 999]
