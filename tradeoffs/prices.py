"""The dated price table in ``data/prices.csv`` (cloud instances and a local machine profile).

Prices are list prices as of the date in the table; an instructor can edit the CSV.
"""
from __future__ import annotations

import pandas as pd

from .data import shipped_file

DEFAULT_INSTANCE = "aws-m7i.large"


def price_table() -> pd.DataFrame:
    """The whole price table, indexed by instance name."""
    return pd.read_csv(shipped_file("prices.csv", verify=False)).set_index("instance")


def hourly_rate(instance: str = DEFAULT_INSTANCE) -> float:
    """US dollars per hour for ``instance``; a clear error lists the known names on a typo."""
    table = price_table()
    if instance not in table.index:
        raise KeyError(f"No price for {instance!r}. Known instances: {', '.join(table.index)} "
                       "(add a row to data/prices.csv for your own).")
    return float(table.loc[instance, "usd_per_hour"])
