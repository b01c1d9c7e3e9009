"""Benchmarks (`make bench`): figures and ratios against the targets in the issues."""
