"""Benchmark: BG/NBD + Gamma-Gamma fit and per-buyer prediction at 100k and 1M buyers.

Run:  OPENBLAS_NUM_THREADS=1 PYTHONPATH=. python bench/bench_clv.py [--sizes 100000 1000000]
          [--lifetimes-python /work/bench-venv/bin/python]

Buyers are drawn from BG/NBD (r=0.5, α=35 days, a=0.8, b=2.5) with ages of 30–730 days in whole
days (as the store records them) and Gamma-Gamma spend. Timed: merging identical rows, the
BG/NBD fit (with its Hessian), the Gamma-Gamma fit, and predictions for every buyer (P(alive),
expected occasions over 365 days in monthly discounted steps, expected spend). When a Python
with `lifetimes` is given (a separate venv: lifetimes needs a recent autograd and is not an
assetkit dependency), the same data is fitted there and parameters and times compared.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from assetkit.analysis.clv import betageo, gammagamma
from assetkit.analysis.clv.rfm import merge
from assetkit.analysis.clv.simulate import simulate_betageo, simulate_spend
from assetkit.analysis.clv.value import alive, discounted_occasions, step_grid

TRUTH = (0.5, 35.0, 0.8, 2.5)
SPEND = (6.0, 4.0, 15.0)

LIFETIMES_SCRIPT = r"""
import json, sys, time
import numpy as np, pandas as pd
from lifetimes import BetaGeoFitter, GammaGammaFitter
d = np.load(sys.argv[1])
x, t_x, T, m = d["x"], d["t_x"], d["T"], d["m"]
out = {}
def clock(name, fn):
    w, c = time.perf_counter(), time.process_time()
    res = fn()
    out[name + "_s"] = time.perf_counter() - w
    out[name + "_cpu_s"] = time.process_time() - c
    return res
bg = clock("bgnbd_fit", lambda: BetaGeoFitter().fit(x, t_x, T))
out["bgnbd"] = [float(bg.params_[k]) for k in ("r", "alpha", "a", "b")]
clock("predict", lambda: (bg.conditional_probability_alive(x, t_x, T),
                          bg.conditional_expected_number_of_purchases_up_to_time(365.0, x, t_x, T)))
rep = x > 0
gg = clock("gg_fit", lambda: GammaGammaFitter().fit(x[rep], m[rep]))
out["gg"] = [float(gg.params_[k]) for k in ("p", "q", "v")]
print(json.dumps(out))
"""


def synth(n: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    T = rng.integers(30, 731, n).astype(float)
    x, t_x = simulate_betageo(TRUTH, T, rng)
    t_x = np.floor(t_x)  # whole days
    m = simulate_spend(SPEND, x, rng)
    return x, t_x, T, m


class Clock:
    """Wall and CPU seconds of a phase: on a shared machine wall time inflates, CPU time less."""

    def __init__(self, out: dict, name: str) -> None:
        self.out, self.name = out, name

    def __enter__(self) -> None:
        self.w, self.c = time.perf_counter(), time.process_time()

    def __exit__(self, *exc: object) -> None:
        self.out[f"{self.name}_s"] = time.perf_counter() - self.w
        self.out[f"{self.name}_cpu_s"] = time.process_time() - self.c


def run_ours(x, t_x, T, m) -> dict:
    out = {}
    cpu0 = time.process_time()
    with Clock(out, "merge"):
        d = merge(x, t_x, T)
    out["unique_rows"] = int(d.x.size)
    with Clock(out, "bgnbd_fit"):
        fit = betageo.fit_bgnbd(x, t_x, T)
    out["bgnbd"] = [fit.params[k] for k in ("r", "alpha", "a", "b")]
    out["bgnbd_ll"] = fit.log_likelihood
    rep = x > 0
    with Clock(out, "gg_fit"):
        gg = gammagamma.fit_gamma_gamma(x[rep], m[rep])
    out["gg"] = [gg.params[k] for k in ("p", "q", "v")]
    with Clock(out, "predict"):  # monthly discounted CLV over 365 days, P(alive), spend
        ends, disc = step_grid(365.0, 0.10)
        _, disc_occ = discounted_occasions("bgnbd", fit.theta(), d, ends, disc)
        p_alive = d.expand(alive("bgnbd", fit.theta(), d))
        spend = gammagamma.expected_spend(gg.theta(), x, np.where(rep, m, 0.0))
        clv = d.expand(disc_occ) * spend * 0.3
    with Clock(out, "predict_like_lifetimes"):  # the same work as lifetimes': P(alive), E[Y(365)]
        d.expand(alive("bgnbd", fit.theta(), d))
        d.expand(discounted_occasions("bgnbd", fit.theta(), d, np.array([365.0]), np.ones(1))[0])
    out["total_clv"] = float(clv.sum())
    out["mean_p_alive"] = float(p_alive.mean())
    out["total_s"] = out["merge_s"] + out["bgnbd_fit_s"] + out["gg_fit_s"] + out["predict_s"]
    out["total_cpu_s"] = time.process_time() - cpu0  # wall time inflates on a shared machine
    return out


def run_lifetimes(python: str, x, t_x, T, m) -> dict | None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "data.npz"
        np.savez(path, x=x, t_x=t_x, T=T, m=np.nan_to_num(m))
        proc = subprocess.run([python, "-c", LIFETIMES_SCRIPT, str(path)], capture_output=True, text=True, check=False,
                              env={**os.environ, "OPENBLAS_NUM_THREADS": "1"}, timeout=3600)
    if proc.returncode != 0:
        print(f"lifetimes failed: {proc.stderr.strip().splitlines()[-1:]}", file=sys.stderr)
        return None
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--lifetimes-python", default=None)
    args = ap.parse_args()
    for n in args.sizes:
        x, t_x, T, m = synth(n)
        ours = run_ours(x, t_x, T, m)
        line = {"buyers": n, "repeat_buyers": int((x > 0).sum()), "assetkit": ours}
        if args.lifetimes_python:
            lt = run_lifetimes(args.lifetimes_python, x, t_x, T, m)
            if lt:
                line["lifetimes"] = lt
                line["max_rel_param_diff"] = float(max(
                    abs(a - b) / abs(b) for a, b in zip(ours["bgnbd"] + ours["gg"], lt["bgnbd"] + lt["gg"])))
                for kind in ("", "_cpu"):
                    ours_t = sum(ours[f"{k}{kind}_s"] for k in ("bgnbd_fit", "gg_fit", "predict_like_lifetimes"))
                    lt_t = sum(lt[f"{k}{kind}_s"] for k in ("bgnbd_fit", "gg_fit", "predict"))
                    line[f"speedup_fit_predict{kind}"] = lt_t / ours_t
                    line[f"speedup_bgnbd_fit{kind}"] = lt[f"bgnbd_fit{kind}_s"] / ours[f"bgnbd_fit{kind}_s"]
        print(json.dumps(line, indent=1))


if __name__ == "__main__":
    main()
