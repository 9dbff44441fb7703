"""Benchmarks: speed goes here, never in tests. ``make bench`` runs every ``bench_*.py``."""
