"""Customer lifetime value: BG/NBD, Pareto/NBD, MBG/NBD and Gamma-Gamma in numpy/scipy.

Public API:
- `summary_from_orders(con, until=None, time_unit='week') -> Summary`
- `fit_bgnbd`, `fit_mbgnbd`, `fit_pnbd(x, t_x, T, weights=None) -> Fit`; `fit_gamma_gamma(x, m)`
- `analyse_clv(con, config, until=None, time_unit='week', horizon=None, model='bgnbd') -> ClvResult`

Set `OPENBLAS_NUM_THREADS=1` in the environment for large fits (see mle.py).
"""

from assetkit.analysis.clv.analyse import analyse_clv
from assetkit.analysis.clv.betageo import fit_bgnbd, fit_mbgnbd
from assetkit.analysis.clv.gammagamma import fit_gamma_gamma
from assetkit.analysis.clv.mle import Diagnostics, Fit
from assetkit.analysis.clv.pareto import fit_pnbd
from assetkit.analysis.clv.result import BuyerValues, ClvResult, SpendModel
from assetkit.analysis.clv.summary import Summary, summary_from_orders

__all__ = [
           "BuyerValues",
           "ClvResult",
           "Diagnostics",
           "Fit",
           "SpendModel",
           "Summary",
           "analyse_clv",
           "fit_bgnbd",
           "fit_gamma_gamma",
           "fit_mbgnbd",
           "fit_pnbd",
           "summary_from_orders",
]
