"""Benchmark: `run_scenario` with 10,000 Monte Carlo runs x 36 months x all channels.

Target (issue 6): under 2 s on 2 cores. The baseline has one channel per design.md channel
value plus four marketplaces (11 channels), more than a typical seller. Prints the median of
`--repeat` timings for the Monte Carlo alone, the tornado, and a five-level shift comparison.

    PYTHONPATH=. python bench/bench_scenario.py [--runs 10000] [--months 36] [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import time

from assetkit.analysis.scenario import (
    Baseline,
    ChannelBaseline,
    compare_shifts,
    load_assumptions,
    run_scenario,
    sensitivity,
)


def baseline() -> Baseline:
    plats = [
        ChannelBaseline("marketplace", name, "platform", revenue=rev, repeat_share=0.4,
                        fees={"membership": rev * 0.02, "advertising": rev * 0.06, "commission": rev * 0.08,
                              "payment": rev * 0.02}, spend=rev * 0.01)
        for name, rev in (("alibaba", 40000), ("amazon", 30000), ("etsy", 8000), ("indiamart", 12000))
    ]
    others = [
        ChannelBaseline(ch, None, kind, revenue=rev, repeat_share=0.3, fees={"payment": rev * 0.03}, spend=rev * 0.05)
        for ch, kind, rev in (("own_site", "owned", 6000), ("email", "owned", 2000), ("social", "owned", 1500),
                              ("direct", "owned", 3000), ("referral", "other", 2500), ("exhibition", "other", 9000),
                              ("other", "other", 500))
    ]
    return Baseline(channels=tuple(plats + others), currency="USD")


def timed(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def run(quick: bool = False) -> list:
    """Entry point for bench/run_all.py: the Monte Carlo against the issue's 2 s target."""
    from harness import Measurement, time_runs

    base, assumptions = baseline(), load_assumptions(None)
    run_scenario(base, assumptions, 36, 100, 0)  # warm imports
    mc = time_runs(lambda: run_scenario(base, assumptions, 36, 10_000, 0), 5 if quick else 7)
    tornado = time_runs(lambda: sensitivity(base, assumptions, 36), 5)
    return [Measurement(f"scenario: 10,000 runs x 36 months x {len(base.channels)} channels", mc,
                        target="< 2 s", holds=mc.median < 2.0,
                        notes=[f"sensitivity (tornado) {tornado.median * 1000:.1f} ms"])]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    base, assumptions = baseline(), load_assumptions(None)
    run_scenario(base, assumptions, args.months, 100, 0)  # warm imports
    mc = timed(lambda: run_scenario(base, assumptions, args.months, args.runs, 0), args.repeat)
    tornado = timed(lambda: sensitivity(base, assumptions, args.months), args.repeat)
    compare = timed(lambda: compare_shifts(base, assumptions, [0, 0.1, 0.2, 0.3, 0.5], args.months, args.runs, 0), 1)
    channels = len(base.channels)
    print(f"run_scenario: {args.runs:,} runs x {args.months} months x {channels} channels: {mc:.3f} s "
          f"(median of {args.repeat}; target < 2 s)")
    print(f"sensitivity ({args.months} months): {tornado:.3f} s")
    print(f"compare_shifts, 5 levels x {args.runs:,} runs: {compare:.3f} s")


if __name__ == "__main__":
    main()
