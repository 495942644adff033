"""Run every benchmark, print per-step times and ratios, write JSON, a table and a chart.

    python -m benchmarks.run            # the full run (a few minutes), what `make bench` does
    python -m benchmarks.run --quick    # a smoke test of every code path (under a minute)

Contenders run interleaved in this one process with one BLAS thread each (the package pins
it before numpy loads). PyTorch and micrograd are used when installed (`pip install -e
".[bench]"`) and skipped otherwise. Before timing, each MLP contender's first losses are
compared: a speed measured on a wrong result would mean nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional

import numpy as np

from . import chains, mlp_numpy, mlp_ours, mlp_torch
from .data import MLPCase, breast_cancer_case, wide_mlp_case
from .report import Target, machine, markdown_table, plot, targets, write_json
from .timing import calibrated_inner, interleaved, median_ratio, medians, ratio_of_best

RESULTS = Path(__file__).resolve().parent / "results"
ROOT = Path(__file__).resolve().parent.parent
#: Our contenders, eager and compiled: each is compared with every other contender.
OURS = ("ours", "compiled")


@dataclass(frozen=True)
class Settings:
    """How long to measure. `quick` keeps every code path, with tiny counts."""

    repeats: int  # rounds of interleaved timing per case
    block_seconds: float  # length of one timed block of the slowest contender
    scalar_iterations: int
    back_to_back_calls: int  # scalar chain, second measure: calls per block
    back_to_back_repeats: int
    chain_ops: tuple[int, int]  # the small and the big deep chain
    chain_repeats: int
    memory_ops: int

    @classmethod
    def choose(cls, quick: bool) -> "Settings":
        if quick:
            return cls(repeats=3, block_seconds=0.01, scalar_iterations=2_000,
                       back_to_back_calls=5, back_to_back_repeats=2,
                       chain_ops=(10_000, 100_000), chain_repeats=2, memory_ops=100_000)
        return cls(repeats=41, block_seconds=0.02, scalar_iterations=2_000,
                   back_to_back_calls=20, back_to_back_repeats=9,
                   chain_ops=(100_000, 1_000_000), chain_repeats=5, memory_ops=1_000_000)


def main(argv: Optional[list[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smoke test: tiny counts")
    parser.add_argument("--out", type=Path, default=None,
                        help="JSON path (default results/latest.json, or quick.json with "
                             "--quick); the table (.md) and chart (.png) go beside it")
    parser.add_argument("--no-memory", action="store_true",
                        help="skip the deep-chain memory runs (fresh processes, slow)")
    args = parser.parse_args(argv)
    settings = Settings.choose(args.quick)
    out = args.out or RESULTS / ("quick.json" if args.quick else "latest.json")
    torch = mlp_torch.import_torch()
    meta = machine()
    meta.update(quick=args.quick, load_average_at_start=os.getloadavg())
    print(f"{meta['date']}  {meta['machine']}  Python {meta['python']}  numpy {meta['numpy']}  "
          f"torch {meta['torch']}  micrograd {meta['micrograd']}  load average "
          + " ".join(f"{x:.2f}" for x in meta["load_average_at_start"]))

    timed = {key: run_mlp(case, settings, torch) for key, case in
             (("mlp32", breast_cancer_case(32)), ("mlp569", breast_cancer_case(569)),
              ("wide", wide_mlp_case(128)))}
    timed["scalar"] = run_scalar_chain(settings, torch)
    deep = run_deep_chain(settings)
    memory = {} if args.no_memory else run_memory(settings)
    cases = [*timed.values(), deep, {"name": "deep chain memory", "runs": memory}]

    rows = fill_targets(targets(), timed, deep, memory)
    table = markdown_table(rows, meta, notes(timed["scalar"]))
    print("\n" + table)
    write_json(out, meta, cases, rows)
    out.with_suffix(".md").write_text(table + "\n")
    micrograd_rss = memory.get("micrograd, recursion limit raised", {}).get("peak_rss_mb")
    plot(out.with_suffix(".png"), rows, micrograd_rss)
    print(f"\nwrote {out}, {out.with_suffix('.md')}, {out.with_suffix('.png')}")


def run_mlp(case: MLPCase, settings: Settings, torch: Any) -> dict[str, Any]:
    """Time one MLP training step of every contender."""
    steps: dict[str, Callable[[], float]] = {"ours": mlp_ours.make_step(case),
                                             "compiled": mlp_ours.make_compiled_step(case),
                                             "numpy": mlp_numpy.make_step(case)}
    if torch is not None:
        steps["torch"] = mlp_torch.make_step(case)
    first_losses = {name: [step() for _ in range(3)] for name, step in steps.items()}
    tolerance = 1e-4 if case.dtype == np.float32 else 1e-9
    agree = all(np.allclose(losses, first_losses["numpy"], rtol=tolerance, atol=0)
                for losses in first_losses.values())
    if not agree:
        print(f"WARNING: {case.name}: the contenders' first losses differ: {first_losses}")
    return _time_case(case.name, steps, settings, agree=agree, first_losses=first_losses)


def run_scalar_chain(settings: Settings, torch: Any) -> dict[str, Any]:
    """Per-op overhead: build and backpropagate a 2,000-iteration scalar chain."""
    n = settings.scalar_iterations
    steps: dict[str, Callable[[], float]] = {"ours": chains.ours(n)}
    micrograd_step = chains.micrograd(n)
    if micrograd_step is not None:
        steps["micrograd"] = micrograd_step
    if torch is not None:
        steps["torch"] = chains.torch_chain(torch, n)
    expected = chains.expected_gradient(n)
    gradients = {name: step() for name, step in steps.items()}
    agree = all(np.isclose(g, expected, rtol=1e-9) for g in gradients.values())
    if not agree:
        print(f"WARNING: scalar chain: gradients {gradients}, expected {expected}")
    result = _time_case(f"scalar chain y = y * 1.0001 + 0.5, {n} iterations ({2 * n} ops), one "
                        "call per block", steps, settings, inner=1, agree=agree,
                        gradient=expected, recursion_limit_for_micrograd=sys.getrecursionlimit())
    # micrograd's graphs are cycles (each node's _backward closure refers to the node), which
    # only the cyclic collector frees: one call per block, after gc.collect(), leaves that
    # cost out (the method, the target's number); back to back, it is paid.
    result["back_to_back"] = _time_case(
        f"the same, {settings.back_to_back_calls} calls back to back (so the cost of collecting "
        "micrograd's cyclic garbage is in)", steps, settings,
        inner=settings.back_to_back_calls, repeats=settings.back_to_back_repeats)
    return result


def run_deep_chain(settings: Settings) -> dict[str, Any]:
    """Backward time of a small and a big chain, interleaved; does it grow linearly?"""
    small, big = settings.chain_ops
    backward_times: dict[str, list[float]] = {_ops_name(small): [], _ops_name(big): []}
    steps = {name: chains.deep_chain(ops, backward_times[name])
             for name, ops in zip(backward_times, settings.chain_ops)}
    times = interleaved(steps, settings.chain_repeats, inner=1, warmup=1, label="deep chains")
    for name in backward_times:  # drop the warm-up call's entry
        backward_times[name] = backward_times[name][-settings.chain_repeats:]
    names = (_ops_name(big), _ops_name(small))
    scaling = median_ratio(backward_times, *names) / (big / small)
    scaling_of_best = ratio_of_best(backward_times, *names) / (big / small)
    result = {"name": "deep chain", "ops": [small, big],
              "median_seconds_build_backward_free": medians(times),
              "median_seconds_backward": medians(backward_times),
              "backward_scaling": scaling, "backward_scaling_of_best": scaling_of_best,
              "repeats": settings.chain_repeats,
              "seconds_per_round_backward": backward_times}
    for name in backward_times:
        print(f"  {name:>10} ops: build + backward + free {_format(medians(times)[name])}, "
              f"backward {_format(medians(backward_times)[name])}")
    print(f"  backward time({_ops_name(big)}) / ({big // small} x time({_ops_name(small)})) = "
          f"{scaling:.2f} (best of each: {scaling_of_best:.2f})")
    return result


def run_memory(settings: Settings) -> dict[str, dict[str, Any]]:
    """Peak memory of the big chain, each run in a fresh process (see chain_memory)."""
    ops = settings.memory_ops
    runs = {"ours": ["ours", str(ops)]}
    if _installed("micrograd"):
        runs["micrograd, default recursion limit"] = ["micrograd", str(ops)]
        runs["micrograd, recursion limit raised"] = [
            "micrograd", str(ops), "--recursion-limit", str(3 * ops), "--no-trace"]
    results = {}
    for name, arguments in runs.items():
        print(f"  memory: {name}, {ops:,} ops (fresh process) ...", flush=True)
        completed = subprocess.run([sys.executable, "-m", "benchmarks.chain_memory", *arguments],
                                   cwd=ROOT, capture_output=True, text=True, timeout=1200)
        if completed.returncode != 0:
            lines = completed.stderr.strip().splitlines() or [f"exit code {completed.returncode}"]
            results[name] = {"error": lines[-1]}
        else:
            results[name] = json.loads(completed.stdout)
        print(f"    {_memory_summary(results[name])}")
    return results


def notes(scalar: dict[str, Any]) -> list[str]:
    """Numbers the table should be read with."""
    ratios = scalar["back_to_back"]["ratios"]
    if "ours/micrograd" not in ratios:
        return []
    return [f"Scalar chain run {scalar['back_to_back']['calls_per_block']} calls back to back, "
            f"so that collecting micrograd's cyclic garbage is paid: ours / micrograd = "
            f"{ratios['ours/micrograd']:.2f}."]


def _installed(package: str) -> bool:
    """Whether an optional contender package is importable."""
    from importlib.util import find_spec

    return find_spec(package) is not None


def fill_targets(rows: list[Target], timed: dict[str, dict[str, Any]], deep: dict[str, Any],
                 memory: dict[str, dict[str, Any]]) -> list[Target]:
    """Put each measured number next to its target (keys like "mlp32/numpy")."""
    measured: dict[str, Optional[float]] = {}
    best_of: dict[str, float] = {}
    for case_key, case in timed.items():
        for ratio, value in case["ratios"].items():
            key = f"{case_key}/{ratio.removeprefix('ours/')}"
            measured[key], best_of[key] = value, case["ratios_of_best"][ratio]
    measured["chain/scaling"] = deep["backward_scaling"]
    best_of["chain/scaling"] = deep["backward_scaling_of_best"]
    measured["chain/memory"] = memory.get("ours", {}).get("peak_traced_mb")
    for row in rows:
        row.measured, row.best_of = measured.get(row.key), best_of.get(row.key)
    return rows


def _time_case(name: str, steps: dict[str, Callable[[], float]], settings: Settings,
               inner: Optional[int] = None, repeats: Optional[int] = None,
               **extra: Any) -> dict[str, Any]:
    """Interleaved timing of `steps`, printed and returned with the ratios ours/peer. Blocks
    of `inner` calls (default: calibrated to `settings.block_seconds`)."""
    print(f"\n{name}")
    inner = inner or calibrated_inner(steps, settings.block_seconds)
    repeats = repeats or settings.repeats
    times = interleaved(steps, repeats, inner, label=name.strip()[:30])
    pairs = [(mine, peer) for mine in OURS if mine in steps for peer in steps if peer not in OURS]
    result = {"name": name, "median_seconds": medians(times),
              "ratios": {f"{mine}/{peer}": median_ratio(times, mine, peer) for mine, peer in pairs},
              "ratios_of_best": {f"{mine}/{peer}": ratio_of_best(times, mine, peer)
                                 for mine, peer in pairs},
              "repeats": repeats, "calls_per_block": inner, "seconds_per_round": times, **extra}
    for contender, seconds in result["median_seconds"].items():
        notes = [f"{mine}/{contender} = {result['ratios'][f'{mine}/{contender}']:.2f} (best of "
                 f"each: {result['ratios_of_best'][f'{mine}/{contender}']:.2f})"
                 for mine, peer in pairs if peer == contender]
        print(f"  {contender:>10}: {_format(seconds)} per step   {', '.join(notes)}".rstrip())
    return result


def _format(seconds: float) -> str:
    return f"{seconds * 1e3:8.2f} ms" if seconds >= 1e-3 else f"{seconds * 1e6:8.1f} µs"


def _ops_name(ops: int) -> str:
    return f"{ops // 1_000_000}M" if ops % 1_000_000 == 0 else f"{ops // 1000}k"


def _memory_summary(run: dict[str, Any]) -> str:
    parts = [f"{label} {run[key]:.0f} MB" for key, label in
             (("peak_traced_mb", "peak traced"), ("graph_mb", "graph"), ("peak_rss_mb", "peak RSS"))
             if key in run]
    if run.get("error"):
        parts.append(f"error: {run['error']}")
    return ", ".join(parts)


if __name__ == "__main__":
    main()
