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
    median: float
    low: float
    high: float
    runs: int

    def text(self) -> str:
        return f"{self.median:.3f} s ({self.low:.3f}–{self.high:.3f}, n={self.runs})"


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


def time_runs(fn: Callable[[], object], runs: int = 5, setup: Callable[[], object] | None = None) -> Timing:
    """Median, min and max wall time of `runs` calls of fn (setup runs untimed before each)."""
    times = []
    for _ in range(runs):
        if setup:
            setup()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return Timing(statistics.median(times), min(times), max(times), runs)


def time_command(argv: list[str], runs: int = 5, env: dict[str, str] | None = None) -> Timing:
    def call() -> None:
        subprocess.run(argv, check=True, capture_output=True, env={**os.environ, **(env or {})})

    return time_runs(call, runs)


def peak_rss_of_command(argv: list[str], env: dict[str, str] | None = None) -> float:
    """Peak resident memory (MiB) of a child process, via wait4's rusage."""
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ, **(env or {})})
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{argv} failed: {proc.stderr.read().decode()[-500:] if proc.stderr else ''}")
    return usage.ru_maxrss / 1024


def machine() -> str:
    import importlib.metadata as md

    mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    versions = []
    for pkg in ("duckdb", "polars", "numpy", "scipy", "vl-convert-python"):
        try:
            versions.append(f"{pkg} {md.version(pkg)}")
        except md.PackageNotFoundError:
            pass
    return (f"{os.cpu_count()} cores, {mem_gib:.1f} GiB, {platform.machine()}, Python {platform.python_version()}, "
            + ", ".join(versions))


def append_results(title: str, measurements: list[Measurement], notes: list[str] | None = None) -> str:
    """Append a dated entry to bench/RESULTS.md (history is kept, never overwritten)."""
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [f"\n## {stamp} — {title}", "", f"Machine: {machine()}", "",
             "| benchmark | assetkit | baseline | ratio | target | holds |", "|---|---|---|---|---|---|"]
    for m in measurements:
        base = f"{m.baseline_name}: {m.baseline.text()}" if m.baseline else "–"
        ratio = f"{m.ratio:.2f}×" if m.ratio is not None else "–"
        holds = {True: "yes", False: "**no**", None: "–"}[m.holds]
        lines.append(f"| {m.name} | {m.subject.text()} | {base} | {ratio} | {m.target} | {holds} |")
        lines += [f"|  ↳ {n} | | | | | |" for n in m.notes]
    lines += [""] + [f"- {n}" for n in notes or []]
    entry = "\n".join(lines) + "\n"
    if not RESULTS.exists():
        RESULTS.write_text("# Benchmark results\n\nEach entry is one run of `make bench`; newest last. "
                           "Ratios compare assetkit with its baseline measured in the same run.\n", encoding="utf-8")
    with RESULTS.open("a", encoding="utf-8") as fh:
        fh.write(entry)
    return entry


def self_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


PY = sys.executable
