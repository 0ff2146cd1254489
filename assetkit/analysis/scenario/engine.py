"""The projection engine: runs x months x channels numpy arrays, no Python loop over runs.

The scenario is computed as *changes* against the baseline (which holds the last 12 months'
monthly average flat), each change masked to exactly 0.0 in runs whose shift is 0, so "no
shift" means a difference of exactly zero, not a floating-point residue. Functional forms are
the MMM ones analytics.md section 3.3 recommends for small data: geometric adstock
(carry-over), Michaelis-Menten saturation (Hill with slope 1, Meridian's default), and a
saturating ramp 1 - 0.5^(t/half-life) for owned channels. Only the 36-odd months are looped
(adstock is a recursion in time); every month step is vectorised over runs and channels.
See docs/scenario.md for the equations in full.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from assetkit.analysis.scenario.baseline import Baseline, ChannelBaseline

if TYPE_CHECKING:
    import numpy as np

FIXED_FEES = frozenset({"membership"})
AD_FEES = frozenset({"advertising"})
OWN_SITE = "own_site"
PHASES = (("foundation", 1, 3), ("enablement", 4, 12), ("ecosystem", 13, 10**6))


@dataclass(frozen=True)
class ChannelArrays:
    """The baseline as per-channel vectors (length C); `own` is where owned gains land."""

    labels: tuple[str, ...]
    kinds: tuple[str, ...]
    revenue: np.ndarray
    var_rate: np.ndarray  # variable fees / revenue (commission, payment, service, ...)
    fixed_fees: np.ndarray  # membership
    adv_fees: np.ndarray  # platform advertising billed as a fee
    spend: np.ndarray  # marketing spend rows
    repeat_share: np.ndarray
    is_platform: np.ndarray
    invitable: np.ndarray  # share of repeat revenue the platform's rules let you invite away
    fee_bound: np.ndarray  # share of repeat revenue that pays a conversion fee when moved
    conversion_fee: np.ndarray  # that fee, as a share of a year's revenue
    own: int
    repeat_rate: float = 0.0  # revenue-weighted repeat share of the whole business, capped at 0.9

    @property
    def fees(self) -> np.ndarray:
        return self.revenue * self.var_rate + self.fixed_fees + self.adv_fees


def channel_arrays(baseline: Baseline) -> ChannelArrays:
    """Vectorise the baseline; add an empty own_site channel when the seller has none yet."""
    import numpy as np

    chans = list(baseline.channels)
    owns = [i for i, c in enumerate(chans) if c.channel == OWN_SITE]
    if not owns:
        chans.append(ChannelBaseline(channel=OWN_SITE, kind="owned"))
        owns = [len(chans) - 1]
    own = max(owns, key=lambda i: chans[i].revenue)

    def vec(f: object) -> np.ndarray:
        return np.array([f(c) for c in chans], dtype=float)  # type: ignore[operator]

    variable = vec(lambda c: sum(v for k, v in c.fees.items() if k not in FIXED_FEES | AD_FEES))
    revenue = vec(lambda c: c.revenue)
    return ChannelArrays(
        labels=tuple(c.label for c in chans),
        kinds=tuple(c.kind for c in chans),
        revenue=revenue,
        var_rate=np.divide(variable, revenue, out=np.zeros_like(revenue), where=revenue > 0),
        fixed_fees=vec(lambda c: sum(v for k, v in c.fees.items() if k in FIXED_FEES))
        + np.where(revenue > 0, 0.0, variable),  # variable fees without revenue behave as fixed
        adv_fees=vec(lambda c: sum(v for k, v in c.fees.items() if k in AD_FEES)),
        spend=vec(lambda c: c.spend),
        repeat_share=vec(lambda c: c.repeat_share),
        is_platform=np.array([c.kind == "platform" for c in chans]),
        invitable=vec(lambda c: 1.0 - c.restricted_repeat_share if c.move_rule == "forbidden" else 1.0),
        fee_bound=vec(lambda c: c.restricted_repeat_share if c.move_rule == "conversion_fee" else 0.0),
        conversion_fee=vec(lambda c: c.conversion_fee),
        own=own,
        repeat_rate=min(0.9, float((revenue * vec(lambda c: c.repeat_share)).sum() / revenue.sum()))
        if revenue.sum() > 0 else 0.0,
    )


def adstock(x: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """Normalised geometric adstock along axis 1: a_t = theta*a_{t-1} + (1-theta)*x_t, a_0 = 0.

    `theta` has one value per run (axis 0). A constant input converges to itself.
    """
    import numpy as np

    th = theta.reshape((-1,) + (1,) * (x.ndim - 2))
    out = np.empty_like(x)
    prev = np.zeros_like(x[:, 0])
    for m in range(x.shape[1]):
        prev = th * prev + (1 - th) * x[:, m]
        out[:, m] = prev
    return out


@dataclass(frozen=True)
class Deltas:
    """Scenario minus baseline, per run, month and channel (R x T x C)."""

    revenue: np.ndarray
    fees: np.ndarray
    spend: np.ndarray
    gross_profit: np.ndarray


def project(ch: ChannelArrays, p: Mapping[str, np.ndarray], months: int) -> Deltas:
    """Changes caused by the two levers, the budget shift and the owned-channel programme, for
    every run in `p` (arrays of shape (R,))."""
    import numpy as np

    t = np.arange(1, months + 1, dtype=float)

    def col(key: str) -> np.ndarray:
        return p[key][:, None]  # (R, 1): one value per run, broadcast over months

    def cube(key: str) -> np.ndarray:
        return p[key][:, None, None]  # (R, 1, 1): broadcast over months and channels

    # Platform effects are computed on the platform columns only (P of the C channels).
    plat = np.flatnonzero(ch.is_platform)
    budget = ch.adv_fees[plat] + ch.spend[plat]
    revenue, var_rate = ch.revenue[plat], ch.var_rate[plat]
    s_t = col("shift") * np.minimum(1.0, t / col("shift_ramp_months"))  # (R, T) share moved so far
    cut = s_t[:, :, None] * budget  # (R, T, P) platform ad money moved
    # Platform revenue lost: Michaelis-Menten response to the adstocked ad budget. With u the
    # carried-over share cut and k the half-saturation multiple, h(A(1-u))/h(A) = 1 - k*u/(1+k-u).
    u = adstock(cut, p["platform_adstock"]) / np.where(budget > 0, budget, 1.0)  # no budget: cut is 0, u is 0
    k = cube("platform_ad_saturation")
    ad_revenue = np.minimum(revenue, cube("platform_ad_roas") * budget)  # revenue the ads drive now
    ad_loss = ad_revenue * k * u / (1 + k - u)
    # The owned-channel programme (a separate lever from the budget shift): existing repeat
    # buyers invited to the own site; some switch, some are lost, the rest stay. Buyers a
    # platform's rules forbid moving are never invited; those it charges for pay its fee.
    programme = col("programme")
    maturity = 1 - 0.5 ** (t / col("owned_half_life_months"))  # (R, T)
    reach = (programme * col("migration_reach") * maturity)[:, :, None]
    approached = (revenue - ad_loss) * ch.repeat_share[plat] * ch.invitable[plat] * reach
    conv = p["migration_conversion"]
    moved = approached * conv[:, None, None]
    lost_share = np.minimum(p["migration_loss"], 1 - conv)
    plat_rev = -(ad_loss + approached * (conv + lost_share)[:, None, None])
    # Conversion fee: once per moved buyer, a share of a year's revenue with them, booked when
    # their revenue moves (increments of the moved revenue, as a yearly amount).
    bound = moved * ch.fee_bound[plat]
    newly = np.diff(np.maximum.accumulate(bound, axis=1), axis=1, prepend=0.0)
    conversion_fees = newly * 12 * ch.conversion_fee[plat]
    uplift = 1 + (col("owned_clv_uplift") - 1) * maturity
    mig_rev = moved.sum(axis=2) * uplift
    mig_fees = (moved @ var_rate) * uplift * (1 - col("fee_reduction"))
    shifted = s_t * budget.sum()  # (R, T) money now spent on owned channels
    stock = adstock(shifted, p["owned_adstock"])
    half = col("owned_saturation") * budget.sum()
    denom = half + stock
    first = np.divide(col("owned_roas") * stock * half, denom, out=np.zeros_like(stock), where=denom > 0) * maturity
    # Customers won on owned channels come back: their repeat revenue follows the business's own
    # repeat share rho (steady state first / (1 - rho), so rho is the repeat share), with the uplift.
    new_rev = adstock(first, np.full(first.shape[0], ch.repeat_rate)) / (1 - ch.repeat_rate) * uplift
    one_off = programme * (col("site_build_cost") * (t == 1) + col("content_cost") / 3 * (t <= 3))

    shape = (s_t.shape[0], months, len(ch.labels))
    d_rev, d_fees, d_spend = np.zeros(shape), np.zeros(shape), np.zeros(shape)
    d_rev[:, :, plat] = plat_rev
    d_fees[:, :, plat] = plat_rev * var_rate - s_t[:, :, None] * ch.adv_fees[plat] + conversion_fees
    d_spend[:, :, plat] = -s_t[:, :, None] * ch.spend[plat]
    own = ch.own
    d_rev[:, :, own] += mig_rev + new_rev
    d_fees[:, :, own] += mig_fees + new_rev * col("own_site_fee_rate")
    d_spend[:, :, own] += shifted + programme * col("owned_running_cost") + one_off

    # Neither lever pulled: exactly 0.0, not a rounding residue. With the programme off every
    # change is proportional to (or a saturating function of) the shift, so the result is
    # continuous in the shift and tends to 0 with it.
    idle = (p["shift"] <= 0) & (p["programme"] <= 0)
    if idle.any():
        for a in (d_rev, d_fees, d_spend):
            a[idle] = 0.0
    return Deltas(d_rev, d_fees, d_spend, d_rev * cube("gross_margin") - d_fees - d_spend)


def monthly_discount(annual: np.ndarray) -> np.ndarray:
    """(1 + r)^(1/12) - 1: the monthly rate equivalent to an annual one."""
    return (1 + annual) ** (1 / 12) - 1


def phase_of(month: int) -> str:
    return next(name for name, lo, hi in PHASES if lo <= month <= hi)
