"""Benchmarks (`make bench`): figures and ratios against the targets in the issues."""

from collections.abc import Callable


def print_and_exit_code(run: Callable[[], list[str]]) -> int:
    """`python -m bench.<one>`: run it, print its lines, exit non-zero when a target was missed."""
    lines = run()
    print("\n".join(lines))
    return 0 if lines[-1] == "PASS" else 1
