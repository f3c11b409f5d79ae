"""Seconds spent in each stage of an extraction, for the logs and the benchmarks.

A long article's extraction runs in several jobs on several workers; each job adds its stages to a
plain dict (JSON-ready) and logs it, so the time from POST to claims queued can be broken down.
"""

import contextlib
import time
from collections.abc import Iterator

StageSeconds = dict[str, float]


@contextlib.contextmanager
def timed(stages: StageSeconds | None, stage: str) -> Iterator[None]:
    """Add the wall time of the block to ``stages[stage]`` (nothing when ``stages`` is None)."""
    if stages is None:
        yield
        return
    started = time.perf_counter()
    try:
        yield
    finally:
        stages[stage] = stages.get(stage, 0.0) + time.perf_counter() - started
