"""Benchmarks: they print ratios measured in one run (machines here are noisy; no timed tests)."""
