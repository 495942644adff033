"""Fair timing: contenders run interleaved in one process, each after a garbage collection.

Interleaving (A B C A B C ...) means a burst of load from another process on the machine slows
every contender of that round alike, so the per-round ratio ours/peer is far steadier than
either time alone. The reported ratio is the median of those per-round ratios.

Python's cyclic garbage collector is the other hazard. A full collection walks every tracked
object in the process, and importing torch alone brings about 170,000 of them: without care, a
contender's collections would cost more in the process that also runs PyTorch. So the objects
that exist before timing starts (modules, models, data) are frozen out of the collector
(`gc.freeze`) while a case is timed, and `gc.collect()` runs before each timed block: each
contender's collections then walk only its own garbage.
"""

from __future__ import annotations

import gc
import statistics
from time import perf_counter
from typing import Callable, Mapping

from tqdm import tqdm

Step = Callable[[], object]


def interleaved(steps: Mapping[str, Step], repeats: int, inner: int, warmup: int = 2,
                label: str = "") -> dict[str, list[float]]:
    """Seconds per call of each step, `repeats` rounds of `inner` calls, contenders interleaved.

    Each contender is warmed up first (caches, lazy imports, torch's first-call setup), and
    `gc.collect()` runs before each timed block so nobody pays for another's garbage; what
    existed before is frozen out of the collector meanwhile (see the module docstring)."""
    for step in steps.values():
        for _ in range(warmup):
            step()
    times: dict[str, list[float]] = {name: [] for name in steps}
    gc.collect()
    gc.freeze()
    try:
        # disable=None: no bar when stderr is not a terminal (a log would fill with \r frames)
        for _ in tqdm(range(repeats), desc=label, leave=False, unit="round", disable=None):
            for name, step in steps.items():
                gc.collect()
                start = perf_counter()
                for _ in range(inner):
                    step()
                times[name].append((perf_counter() - start) / inner)
    finally:
        gc.unfreeze()
    return times


def calibrated_inner(steps: Mapping[str, Step], block_seconds: float) -> int:
    """How many calls make a timed block of about `block_seconds` for the slowest contender:
    blocks long enough that the timer's resolution and one-off hiccups do not matter."""
    slowest = 0.0
    for step in steps.values():
        start = perf_counter()
        step()
        slowest = max(slowest, perf_counter() - start)
    return max(1, round(block_seconds / slowest))


def median_ratio(times: Mapping[str, list[float]], numerator: str, denominator: str) -> float:
    """The median over rounds of times[numerator] / times[denominator] in the same round."""
    return statistics.median(a / b for a, b in zip(times[numerator], times[denominator]))


def ratio_of_best(times: Mapping[str, list[float]], numerator: str, denominator: str) -> float:
    """min / min: each contender's least disturbed block. On a busy machine, where bursts of
    load hit single blocks, a useful second opinion on the median of ratios."""
    return min(times[numerator]) / min(times[denominator])


def medians(times: Mapping[str, list[float]]) -> dict[str, float]:
    """The median seconds per call of each contender."""
    return {name: statistics.median(values) for name, values in times.items()}
