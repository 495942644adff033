"""The targets of issue 5, and the results as a table, JSON and a bar chart."""

from __future__ import annotations

import json
import platform
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Optional


@dataclass
class Target:
    """One line of the targets table: a measured number that must stay at or under `limit`."""

    key: str
    label: str
    short: str  # the chart's axis label
    limit: float
    first_design: str  # what a careful first design measured, as the issue quotes it
    unit: str = "ratio"  # "ratio" or "MB"
    measured: Optional[float] = None  # the median of per-round ratios (or the MB)
    best_of: Optional[float] = None  # min / min, a second opinion on a busy machine

    @property
    def met(self) -> Optional[bool]:
        return None if self.measured is None else self.measured <= self.limit


def targets() -> list[Target]:
    """The issue's table (medians of ratios in one run on a 2-core machine)."""
    return [
        Target("mlp32/numpy", "MLP batch 32, ours / hand numpy", "b32 / numpy", 1.8, "2.25"),
        Target("mlp569/numpy", "MLP batch 569, ours / hand numpy", "b569 / numpy", 1.25, "1.38"),
        Target("wide/numpy", "MLP 784-256-10 f32, ours / hand numpy", "784-256-10 / numpy",
               1.05, "1.08"),
        Target("mlp32/torch", "MLP batch 32, ours / PyTorch", "b32 / torch", 0.5, "0.38"),
        Target("mlp569/torch", "MLP batch 569, ours / PyTorch", "b569 / torch", 0.5, "0.54"),
        Target("scalar/micrograd", "scalar chain, ours / micrograd", "scalar / micrograd", 0.8,
               "0.94"),
        Target("chain/scaling", "deep chain backward, time(1M) / (10 x time(100k))",
               "chain 1M / 10x100k", 1.5, "1.39"),
        Target("chain/memory", "deep chain of 1M ops with backward, peak traced memory",
               "ours (traced)", 250, "452 MB (micrograd: about 1.5 GB RSS)", unit="MB"),
        Target("mlp32/compiled/numpy", "stretch: MLP batch 32, compiled / hand numpy",
               "b32 compiled / numpy", 1.2, "(not built)"),
    ]


def machine() -> dict[str, Any]:
    """Where and when: the README quotes the table with these."""
    import numpy

    info = {"date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": f"{_cpu_model()}, {_cpu_count()} cores, {platform.system()} "
                       f"{platform.machine()}",
            "python": platform.python_version(), "numpy": numpy.__version__}
    for package in ("torch", "micrograd"):
        info[package] = _version_of(package)
    info["commit"] = _git_commit()
    return info


def markdown_table(target_rows: list[Target], meta: dict[str, Any], notes: list[str]) -> str:
    """The targets with their measured values, ready to paste into the README; `notes` are
    printed under it."""
    lines = [f"Measured {meta['date']} at commit {meta['commit'] or '?'} on {meta['machine']} "
             f"(Python {meta['python']}, numpy {meta['numpy']}, torch {meta['torch'] or '-'}, "
             "one BLAS thread each; medians of per-round ratios; the machine was shared, so "
             "expect noise of ~10%).", "",
             *(["**Quick smoke test: counts far too small for these numbers to mean anything."
                "**", ""] if meta.get("quick") else []),
             "| case | measured (median) | best of each | target | met | a careful first design |",
             "|---|---|---|---|---|---|"]
    for t in target_rows:
        value = "-" if t.measured is None else (
            f"{t.measured:.0f} MB" if t.unit == "MB" else f"{t.measured:.2f}")
        limit = f"<= {t.limit:g} MB" if t.unit == "MB" else f"<= {t.limit:g}"
        met = {None: "n/a", True: "yes", False: "**no**"}[t.met]
        best_of = "-" if t.best_of is None else f"{t.best_of:.2f}"
        lines.append(f"| {t.label} | {value} | {best_of} | {limit} | {met} | {t.first_design} |")
    return "\n".join(lines + ([""] + notes if notes else []))


def write_json(path: Path, meta: dict[str, Any], cases: list[dict[str, Any]],
               target_rows: list[Target]) -> None:
    """Everything measured, for the record and for later comparison."""
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {"meta": meta, "cases": cases,
               "targets": [dict(asdict(t), met=t.met) for t in target_rows]}
    path.write_text(json.dumps(payload, indent=2) + "\n")


def plot(path: Path, target_rows: list[Target], micrograd_rss_mb: Optional[float]) -> None:
    """Bars of the measured ratios with each target as a red line; memory on its own axes."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ratios = [t for t in target_rows if t.unit == "ratio" and t.measured is not None]
    memory = [t for t in target_rows if t.unit == "MB" and t.measured is not None]
    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 4.2),
                                         gridspec_kw={"width_ratios": [4, 1]})
    for i, t in enumerate(ratios):
        left.bar(i, t.measured, color="tab:green" if t.met else "tab:orange")
        left.hlines(t.limit, i - 0.4, i + 0.4, colors="red", linewidth=2)
        left.text(i, t.measured, f"{t.measured:.2f}", ha="center", va="bottom", fontsize=8)
    left.set_xticks(range(len(ratios)), [t.short for t in ratios], rotation=30,
                    ha="right", fontsize=8)
    left.axhline(1.0, color="gray", linewidth=0.8, linestyle=":")
    left.set_ylabel("ours / peer (lower is faster)")
    left.set_title("speed ratios; red line = target", fontsize=10)
    bars = [(t.measured, t.limit, t.short) for t in memory]
    if micrograd_rss_mb is not None:
        bars.append((micrograd_rss_mb, None, "micrograd (RSS)"))
    for i, (value, limit, _) in enumerate(bars):
        met = limit is None or value <= limit
        right.bar(i, value, color="tab:gray" if limit is None else "tab:green" if met
                  else "tab:orange")
        right.text(i, value, f"{value:.0f}", ha="center", va="bottom", fontsize=8)
        if limit is not None:
            right.hlines(limit, i - 0.4, i + 0.4, colors="red", linewidth=2)
    right.set_xticks(range(len(bars)), [name for *_, name in bars], rotation=30, ha="right",
                     fontsize=8)
    right.set_ylabel("MB")
    right.set_title("1M-op chain, peak memory", fontsize=10)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _cpu_count() -> int:
    import os

    return os.cpu_count() or 1


def _git_commit() -> Optional[str]:
    """The measured code: HEAD's short hash, "+changes" when the tree has uncommitted ones."""
    import subprocess

    root = Path(__file__).resolve().parent.parent
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root,
                              capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "autograd_engine", "nn"],
                               cwd=root, capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    return head + ("+changes" if dirty.strip() else "")


def _version_of(package: str) -> Optional[str]:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return None
