"""Benchmarks and model-selection scripts: each prints figures; see its docstring."""
