"""Intervals from a bootstrap over buyers: refit both models on resampled buyers.

The Hessian draws assume the log-likelihood is quadratic around the optimum. With 30–500
buyers it often is not (skewed, or flat toward a bound), which is exactly the small-business
case, so `--intervals bootstrap` instead resamples buyers with replacement, refits the purchase
and spend models on each resample, and values the ACTUAL buyers under every refit. The spread
is the parameter uncertainty the data leaves, without the quadratic assumption.

Resampling is by counts, not copies: one multinomial draw gives how often each buyer appears;
the purchase model gets them summed per unique (x, t_x, T) row as weights and Gamma-Gamma gets
them per repeat buyer, so a resample costs one fit on at most the original unique rows. The
number of refits is capped (config `clv: {bootstrap_refits: N}`, and by total rows refitted),
seeded, and refits that fail are left out and counted.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from assetkit.analysis.clv import gammagamma
from assetkit.analysis.clv.mle import Fit
from assetkit.analysis.clv.result import SpendModel
from assetkit.analysis.clv.rfm import Rfm
from assetkit.analysis.clv.summary import Summary
from assetkit.analysis.clv.value import discounted_occasions

REFIT_ROWS = 1e6  # unique rows refitted in total across the refits
MIN_REFITS = 20  # fewer usable refits than this give no interval


def model_bootstrap(model: str, fitter: Callable[..., Fit], d: Rfm, s: Summary,
                    spend: SpendModel, ends: np.ndarray, discount: np.ndarray, refits: int,
                    rng: np.random.Generator) -> tuple[list[np.ndarray], str | None, str | None]:
    """(simulated discounted revenue per buyer for each usable refit, method label, reason skipped)."""
    if refits < MIN_REFITS:
        return [], None, f"no bootstrap intervals: clv.bootstrap_refits is {refits}, at least {MIN_REFITS} are needed"
    refits = min(refits, int(REFIT_ROWS // max(d.x.size, 1)))
    if refits < MIN_REFITS:
        return [], None, (f"no bootstrap intervals: {d.x.size:,} distinct buyer histories would need more "
                          "than the refit budget; use the Hessian intervals (the default)")
    usable = (s.frequency > 0) & (s.monetary > 0)
    m_obs = np.where(s.frequency > 0, np.maximum(np.nan_to_num(s.monetary), 0.0), 0.0)
    p = np.full(s.n, 1.0 / s.n)
    sims: list[np.ndarray] = []
    failed = 0
    for _ in range(refits):
        counts = rng.multinomial(s.n, p).astype(float)
        w = np.bincount(d.inverse, weights=counts, minlength=d.x.size)
        keep = w > 0
        boot = fitter(d.x[keep], d.t_x[keep], d.T[keep], weights=w[keep])
        m = _spend(spend, s, usable, counts, m_obs)
        if not (boot.diagnostics.converged and np.isfinite(boot.log_likelihood)) or m is None:
            failed += 1
            continue
        disc = discounted_occasions(model, boot.theta(), d, ends, discount)[1]
        sims.append(d.expand(disc) * m)
    if len(sims) < MIN_REFITS:
        return [], None, (f"no bootstrap intervals: only {len(sims)} of {refits} refits on resampled buyers "
                          "converged")
    label = f"bootstrap over buyers ({len(sims)} refits of the purchase and spend models)"
    if failed:
        label += f"; {failed} refits that did not converge were left out"
    return sims, label, None


def _spend(spend: SpendModel, s: Summary, usable: np.ndarray, counts: np.ndarray,
           m_obs: np.ndarray) -> np.ndarray | None:
    """Expected spend per buyer from Gamma-Gamma refitted on the resample (None if it fails);
    the shrunk-average fallback has no parameters to refit and is kept as it is."""
    if spend.fit is None:
        return spend.spend
    sel = usable & (counts > 0)
    boot = gammagamma.fit_gamma_gamma(s.frequency[sel], s.monetary[sel], weights=counts[sel])
    p, q, v = boot.theta()
    if not boot.diagnostics.converged or q <= 1:
        return None
    return gammagamma.expected_spend((p, q, v), s.frequency, m_obs)
