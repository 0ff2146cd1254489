"""Platform economics: what each platform costs (`analyse_fees`) and where business comes
from (`analyse_funnel`). Both take a DuckDB connection to an assetkit store and a Config."""

from assetkit.analysis.economics.fees import FeesResult, analyse_fees
from assetkit.analysis.economics.funnel import FunnelResult, analyse_funnel

__all__ = ["FeesResult", "FunnelResult", "analyse_fees", "analyse_funnel"]
