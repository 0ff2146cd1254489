"""assetkit: turn what a seller rents on marketplaces into assets they own.

The package is a library first; `assetkit.cli` is a thin layer over it. Heavy
modules (duckdb, polars, numpy, scipy, jinja2) are imported inside the functions
that need them so that `assetkit --help` stays fast.
"""

__version__ = "0.1.0"
