"""How a function's running time grows with its input, measured as a ratio within one run so that a
busy machine slows both sizes alike. Tests assert the shape of the growth, never a number of seconds."""

from __future__ import annotations

import time
from collections.abc import Callable


def _best_of(repeats: int, run: Callable[[], object]) -> float:
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        timings.append(time.perf_counter() - started)
    return min(timings)


def growth_ratio(run: Callable[[int], object], *, size: int, factor: int = 4, repeats: int = 3) -> float:
    """Time of ``run(size * factor)`` over time of ``run(size)``, each the best of ``repeats``.

    Linear work gives about ``factor``; quadratic work about ``factor ** 2``."""
    small = _best_of(repeats, lambda: run(size))
    large = _best_of(repeats, lambda: run(size * factor))
    return large / small
