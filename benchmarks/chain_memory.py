"""Peak traced memory of a deep chain with its backward, measured in a fresh process.

    python -m benchmarks.chain_memory ours 1000000
    python -m benchmarks.chain_memory micrograd 1000000 [--recursion-limit N] [--no-trace]

Prints one JSON object: peak traced memory (tracemalloc) and peak RSS in MB, seconds, and the
error if the engine could not do it (micrograd's recursive topological sort raises
RecursionError at Python's default limit). A fresh process, so nothing allocated before
counts, and tracemalloc's slowdown touches no timing run. `--no-trace` measures peak RSS only:
tracemalloc slows a deep Python recursion (micrograd's sort with a raised limit) a hundredfold.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tracemalloc
from pathlib import Path
from time import perf_counter
from typing import Any

from .chains import build_chain

MB = 1024 * 1024


def leaf(engine: str) -> Any:
    """The chain's input for `engine`, created before tracing starts."""
    if engine == "ours":
        from autograd_engine import Tensor

        return Tensor(1.0, requires_grad=True)
    from micrograd.engine import Value

    return Value(1.0)


def measure(engine: str, ops: int, trace: bool = True) -> dict[str, Any]:
    """Build the chain of `ops` ops and backpropagate, under tracemalloc when `trace`."""
    x = leaf(engine)
    result: dict[str, Any] = {"engine": engine, "ops": ops, "recursion_limit":
                              sys.getrecursionlimit(), "error": None}
    start = perf_counter()
    if trace:
        tracemalloc.start()
    try:
        y = build_chain(x, ops // 2)
        if trace:
            result["graph_mb"] = tracemalloc.get_traced_memory()[0] / MB
        y.backward()
    except RecursionError as error:
        result["error"] = f"RecursionError: {error}"
    if trace:
        result["peak_traced_mb"] = tracemalloc.get_traced_memory()[1] / MB
        tracemalloc.stop()
    result["seconds"] = perf_counter() - start
    result["peak_rss_mb"] = peak_rss_mb()
    return result


def peak_rss_mb() -> float:
    """This process's peak resident memory. Linux's VmHWM, because ru_maxrss also counts the
    parent's peak from before the exec that started this process."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux, B on macOS


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("engine", choices=("ours", "micrograd"))
    parser.add_argument("ops", type=int)
    parser.add_argument("--recursion-limit", type=int, default=None,
                        help="raise Python's recursion limit first (micrograd needs ~ops)")
    parser.add_argument("--no-trace", action="store_true", help="peak RSS only, no tracemalloc")
    args = parser.parse_args(argv)
    if args.recursion_limit:
        sys.setrecursionlimit(args.recursion_limit)
    print(json.dumps(measure(args.engine, args.ops, trace=not args.no_trace)))


if __name__ == "__main__":
    main()
