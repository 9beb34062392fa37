"""Benchmarks: `make bench` prints the figures (they are not timed tests)."""
