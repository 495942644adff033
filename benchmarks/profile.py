"""Where our engine spends its time: the phases of a step, the ops each phase runs, and a
cProfile of the whole step.

    python -m benchmarks.profile mlp32           # breast-cancer MLP, batch 32
    python -m benchmarks.profile mlp569 | wide   # the full batch; the wide float32 MLP
    python -m benchmarks.profile scalar          # the 2,000-iteration scalar chain
    python -m benchmarks.profile mlp32 --top 40 --sort cumulative

First the median time of each phase (forward and loss, zero_grad, backward, update; for the
scalar chain build and backward) over many steps, without the profiler's overhead; then how
many primitive ops (`Function.apply` calls) each phase ran, by op; then cProfile's table.
cProfile inflates the cost of small Python functions, so read its table for *where*, and the
phase times for *how much*. For a sampling view without that bias:
`py-spy record -r 500 -- python -m benchmarks.profile mlp32`.
"""

from __future__ import annotations

import argparse
import cProfile
import collections
import contextlib
import pstats
import statistics
from time import perf_counter
from typing import Any, Callable, Iterator

from autograd_engine import Function, Tensor

from . import chains, mlp_ours
from .data import breast_cancer_case, wide_mlp_case

#: A step split into named phases: each callable runs one phase, in order.
Phases = list[tuple[str, Callable[[], None]]]


def mlp_phases(case_name: str) -> Phases:
    """The nn training step of an MLP case, phase by phase."""
    case = wide_mlp_case(128) if case_name == "wide" else breast_cancer_case(
        int(case_name.removeprefix("mlp")))
    model, loss_fn, optimizer, batches = mlp_ours.build(case)
    state: dict[str, Tensor] = {}

    def forward() -> None:
        x, y = next(batches)
        state["loss"] = loss_fn(model(x), y)

    return [("forward + loss", forward), ("zero_grad", optimizer.zero_grad),
            ("backward", lambda: state["loss"].backward()), ("update", optimizer.step)]


def scalar_phases(iterations: int = 2_000) -> Phases:
    """The scalar chain: build, then backward."""
    x = Tensor(1.0, requires_grad=True)
    state: dict[str, Tensor] = {}

    def build() -> None:
        x.grad = None
        state["y"] = chains.build_chain(x, iterations)

    return [("build (forward)", build), ("backward", lambda: state["y"].backward())]


def phase_times(phases: Phases, steps: int) -> dict[str, float]:
    """The median seconds of each phase over `steps` steps."""
    times: dict[str, list[float]] = {name: [] for name, _ in phases}
    for _ in range(steps):
        for name, run in phases:
            start = perf_counter()
            run()
            times[name].append(perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


@contextlib.contextmanager
def counting_applies(counts: collections.Counter, phase: list[str]) -> Iterator[None]:
    """Count `Function.apply` calls by (current phase, op) while active; restored after."""
    original = Function.__dict__["apply"]

    def apply(cls: type, *inputs: Any, **params: Any) -> Tensor:
        counts[phase[0], cls.__name__] += 1
        return original.__func__(cls, *inputs, **params)

    Function.apply = classmethod(apply)
    try:
        yield
    finally:
        Function.apply = original


def op_census(phases: Phases) -> collections.Counter:
    """How many primitive ops of each kind one step runs in each phase."""
    counts: collections.Counter = collections.Counter()
    current = [""]
    with counting_applies(counts, current):
        for name, run in phases:
            current[0] = name
            run()
    return counts


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("case", choices=("mlp32", "mlp569", "wide", "scalar"))
    parser.add_argument("--steps", type=int, default=None,
                        help="steps to time and profile (default: 2000 for mlp32/mlp569, "
                             "200 for wide and scalar)")
    parser.add_argument("--top", type=int, default=25, help="functions in cProfile's table")
    parser.add_argument("--sort", default="tottime", choices=("tottime", "cumulative"))
    args = parser.parse_args(argv)
    steps = args.steps or (2000 if args.case.startswith("mlp") else 200)
    phases = scalar_phases() if args.case == "scalar" else mlp_phases(args.case)

    phase_times(phases, 5)  # warm up
    medians = phase_times(phases, steps)
    print(f"{args.case}: median per phase over {steps} steps "
          f"(total {sum(medians.values()) * 1e6:.1f} µs)")
    for name, seconds in medians.items():
        print(f"  {name:>16}: {seconds * 1e6:9.1f} µs")

    print("\nprimitive ops per step (Function.apply calls), by phase:")
    for (phase, op), count in sorted(op_census(phases).items()):
        print(f"  {phase:>16}  {op:<36} {count}")

    profiler = cProfile.Profile()
    profiler.enable()
    phase_times(phases, steps)
    profiler.disable()
    print(f"\ncProfile of {steps} steps (totals over all of them):")
    pstats.Stats(profiler).strip_dirs().sort_stats(args.sort).print_stats(args.top)


if __name__ == "__main__":
    main()
