"""Benchmarks and the synthetic-KB generator (see README, Performance)."""
