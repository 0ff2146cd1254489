"""Start-up: `assetkit --help` versus `python -c pass` (target: < 0.3 s above it)."""

from __future__ import annotations

from harness import PY, Measurement, time_command


def run(quick: bool = False) -> list[Measurement]:
    runs = 5 if quick else 10
    bare = time_command([PY, "-c", "pass"], runs)
    helped = time_command([PY, "-m", "assetkit", "--help"], runs)
    extra = helped.median - bare.median
    return [Measurement("start-up: assetkit --help", helped, "python -c pass", bare,
                        target="< 0.3 s above python", holds=extra < 0.3,
                        notes=[f"{extra:.3f} s above bare Python"])]
