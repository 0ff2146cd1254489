"""Shared benchmark machinery: timing with medians of repeated runs, peak memory, RESULTS.md.

Every claim is a ratio measured side by side in the same run (assetkit vs its baseline on the
same machine, same data), because absolute times drift between runs and machines.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

RESULTS = Path(__file__).with_name("RESULTS.md")


@dataclass
class Timing:
    """Median and min–max of repeated runs; `cpu` is the median CPU seconds (all threads, and
    children for commands), which a shared, contended machine distorts less than wall time."""

    median: float
    low: float
    high: float
    runs: int
    cpu: float | None = None
    unit: str = "s"

    def text(self) -> str:
        fmt = ".0f" if self.unit == "MiB" else ".3f"
        cpu = f"; CPU {self.cpu:.3f} s" if self.cpu is not None else ""
        return (f"{self.median:{fmt}} {self.unit} ({self.low:{fmt}}–{self.high:{fmt}}, n={self.runs}{cpu})")


def summarise(values: list[float], cpus: list[float] | None = None, unit: str = "s") -> Timing:
    """Timing from raw per-run values (for measurements taken inside child processes)."""
    cpu = statistics.median(cpus) if cpus else None
    return Timing(statistics.median(values), min(values), max(values), len(values), cpu, unit)


@dataclass
class Measurement:
    name: str
    subject: Timing
    baseline_name: str | None = None
    baseline: Timing | None = None
    target: str = ""
    holds: bool | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def ratio(self) -> float | None:
        if self.baseline is None or self.baseline.median == 0:
            return None
        return self.subject.median / self.baseline.median

    @property
    def cpu_ratio(self) -> float | None:
        if self.baseline is None or not self.baseline.cpu or self.subject.cpu is None:
            return None
        return self.subject.cpu / self.baseline.cpu


def _samples(fn: Callable[[], object], runs: int, setup: Callable[[], object] | None = None,
             times: list[float] | None = None, cpus: list[float] | None = None) -> tuple[list[float], list[float]]:
    times, cpus = times if times is not None else [], cpus if cpus is not None else []
    for _ in range(runs):
        if setup:
            setup()
        cpu, start = cpu_seconds(), time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
        cpus.append(cpu_seconds() - cpu)
    return times, cpus


def time_runs(fn: Callable[[], object], runs: int = 5, setup: Callable[[], object] | None = None) -> Timing:
    """Median, min and max wall time of `runs` calls of fn (setup runs untimed before each),
    with the median CPU time of this process and its children over the same calls."""
    return summarise(*_samples(fn, runs, setup))


def time_runs_capped(fn: Callable[[], object], allow_fewer: bool, runs: int = 5) -> Timing:
    """time_runs with `runs` runs, or 3 when allow_fewer (the 10M-row cases) and the first run
    took over 30 s; the Timing's `runs` shows which, and the entry says so."""
    times, cpus = _samples(fn, 1)
    if allow_fewer and times[0] > 30:
        runs = 3
    return summarise(*_samples(fn, runs - 1, times=times, cpus=cpus))


def cpu_seconds() -> float:
    """User+system CPU of this process (all threads) plus its waited-for children."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def load() -> str:
    """1/5/15-minute load averages: this machine is shared, so every entry records them."""
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


def time_command(argv: list[str], runs: int = 5, env: dict[str, str] | None = None) -> Timing:
    def call() -> None:
        subprocess.run(argv, check=True, capture_output=True, env={**os.environ, **(env or {})})

    return time_runs(call, runs)


def machine() -> str:
    import importlib.metadata as md

    mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    versions = []
    for pkg in ("duckdb", "polars", "numpy", "scipy", "pyarrow"):
        try:
            versions.append(f"{pkg} {md.version(pkg)}")
        except md.PackageNotFoundError:
            pass
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else ""
    return (f"{os.cpu_count()} cores ({model}), {mem_gib:.1f} GiB, {platform.machine()}, "
            f"Python {platform.python_version()}, "
            + ", ".join(versions))


def append_results(title: str, measurements: list[Measurement], notes: list[str] | None = None) -> str:
    """Append a dated entry to bench/RESULTS.md (history is kept, never overwritten)."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [f"\n## {stamp} — {title}", "", f"Machine: {machine()}", "",
             "| benchmark | assetkit | baseline | ratio (wall) | ratio (CPU) | target | holds |",
             "|---|---|---|---|---|---|---|"]
    for m in measurements:
        base = f"{m.baseline_name}: {m.baseline.text()}" if m.baseline else "–"
        ratio = f"{m.ratio:.2f}×" if m.ratio is not None else "–"
        cpu_ratio = f"{m.cpu_ratio:.2f}×" if m.cpu_ratio is not None else "–"
        holds = {True: "yes", False: "**no**", None: "–"}[m.holds]
        lines.append(f"| {m.name} | {m.subject.text()} | {base} | {ratio} | {cpu_ratio} | {m.target} | {holds} |")
        lines += [f"|  ↳ {n} | | | | | | |" for n in m.notes]
    lines += [""] + [f"- {n}" for n in notes or []]
    entry = "\n".join(lines) + "\n"
    if not RESULTS.exists():
        RESULTS.write_text("# Benchmark results\n\nEach entry is one run of `make bench`; newest last. "
                           "Ratios compare assetkit with its baseline measured in the same run.\n", encoding="utf-8")
    with RESULTS.open("a", encoding="utf-8") as fh:
        fh.write(entry)
    return entry


PY = sys.executable
