"""Model size and inference latency: the plumbing behind the compression lesson (07).

    from tradeoffs.modelsize import serialized_size, compressed_size, count_parameters, latency

    serialized_size(model)              # bytes of ``torch.save(model.state_dict())``
    compressed_size(model)              # the same bytes after zlib: what a zipped checkpoint costs
    count_parameters(model)             # number of parameter elements
    stats = latency(model, x, repeats=30, threads=1)
    stats.median_ms, stats.p90_ms

Latency is the **median** of repeated timed calls after a few warm-up calls, with the number of
PyTorch CPU threads fixed for the measurement (and restored afterwards), so that two variants are
compared under the same conditions. The median resists the occasional slow call caused by other
processes on a shared machine; the spread (p10-p90) says how noisy the machine was.

None of these functions computes an exercise's answer (sparsity, pruning, distillation losses are
the learner's job).
"""
from __future__ import annotations

import contextlib
import io
import logging
import statistics
import time
import zlib
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Mapping

import numpy as np
import torch
from torch import nn

from .torchtrain import count_parameters  # defined once, part of this module's API too

__all__ = [
    "LatencyStats",
    "compressed_size",
    "count_parameters",
    "import_torchao_quietly",
    "latency",
    "num_threads",
    "serialized_bytes",
    "serialized_size",
]


def _state(obj: nn.Module | Mapping[str, Any]) -> Mapping[str, Any]:
    return obj.state_dict() if isinstance(obj, nn.Module) else obj


def serialized_bytes(obj: nn.Module | Mapping[str, Any]) -> bytes:
    """The bytes ``torch.save`` writes for a module's ``state_dict()`` (or for a given state dict)."""
    buffer = io.BytesIO()
    torch.save(_state(obj), buffer)
    return buffer.getvalue()


def serialized_size(obj: nn.Module | Mapping[str, Any]) -> int:
    """Size in bytes of the saved ``state_dict()``: what a checkpoint of this model costs on disk.

    Everything in the state dict counts (pruning masks, quantization scales, buffers), which is the
    point: a model whose pruning was never made permanent stores *more* than the dense one.
    """
    return len(serialized_bytes(obj))


def compressed_size(obj: nn.Module | Mapping[str, Any], level: int = 6) -> int:
    """Size in bytes of the saved state dict after zlib compression (``level`` 0-9).

    Runs of zeros compress well, random-looking float mantissas do not, so this measures how much
    storage unstructured sparsity can save without any special sparse format.
    """
    return len(zlib.compress(serialized_bytes(obj), level))


@contextlib.contextmanager
def num_threads(n: int | None) -> Iterator[int]:
    """Temporarily fix ``torch.get_num_threads()`` to ``n`` (None: leave it); restore it on exit."""
    before = torch.get_num_threads()
    if n is not None:
        if n < 1:
            raise ValueError(f"num_threads needs n >= 1, got {n}")
        torch.set_num_threads(int(n))
    try:
        yield torch.get_num_threads()
    finally:
        torch.set_num_threads(before)


@dataclass(frozen=True)
class LatencyStats:
    """Milliseconds per call over ``repeats`` timed calls (after warm-up), with ``threads`` CPU threads."""

    median_ms: float
    p10_ms: float
    p90_ms: float
    min_ms: float
    mean_ms: float
    repeats: int
    batch_size: int | None
    threads: int
    cpu_median_ms: float = float("nan")
    cpu_p10_ms: float = float("nan")
    cpu_p90_ms: float = float("nan")

    @property
    def spread(self) -> float:
        """p90 / p10: about 1 on a quiet machine, much larger when other processes compete."""
        return self.p90_ms / self.p10_ms if self.p10_ms > 0 else float("inf")

    @property
    def cpu_spread(self) -> float:
        """p90 / p10 of the calling thread's CPU time: close to 1 even on a busy machine."""
        return self.cpu_p90_ms / self.cpu_p10_ms if self.cpu_p10_ms > 0 else float("inf")

    @property
    def per_item_ms(self) -> float:
        """Median milliseconds per input row (the median divided by the batch size)."""
        return self.median_ms / (self.batch_size or 1)

    def __str__(self) -> str:
        batch = f"batch {self.batch_size}, " if self.batch_size is not None else ""
        return (f"median {self.median_ms:.3f} ms (p10 {self.p10_ms:.3f}, p90 {self.p90_ms:.3f}), "
                f"thread CPU median {self.cpu_median_ms:.3f} ms; {batch}{self.repeats} runs, {self.threads} thread(s)")


def latency(fn: Callable[..., Any], *inputs: Any, repeats: int = 20, warmup: int = 3, threads: int | None = 1,
            min_time_s: float = 0.0, max_time_s: float | None = None) -> LatencyStats:
    """Time ``fn(*inputs)`` (a module or any callable) and return the median and percentiles in ms.

    Runs under ``torch.inference_mode()`` with ``threads`` PyTorch threads (None keeps the current
    setting). ``warmup`` untimed calls come first (they pay for lazy initialisation, caches and
    compilation). Then at least ``repeats`` timed calls run, more if ``min_time_s`` has not elapsed,
    and fewer (but at least 3) if ``max_time_s`` is exceeded; each call is timed on its own with
    ``time.perf_counter`` (wall clock) and ``time.thread_time`` (CPU time of the calling thread).

    With ``threads=1`` PyTorch's CPU kernels run in the calling thread, so the thread's CPU time is
    the work the call did, excluding the moments when other programs held the core: on a shared
    or busy machine the ``cpu_*`` figures are far steadier than wall time. With several threads the
    calling thread's CPU time misses the work of the others; use the wall-clock figures then.
    """
    if repeats < 1:
        raise ValueError(f"repeats must be >= 1, got {repeats}")
    batch = None
    if inputs and isinstance(inputs[0], torch.Tensor) and inputs[0].dim() > 0:
        batch = int(inputs[0].shape[0])
    times: list[float] = []
    cpu_times: list[float] = []
    with num_threads(threads) as used, torch.inference_mode():
        for _ in range(warmup):
            fn(*inputs)
        start = time.perf_counter()
        while True:
            c0 = time.thread_time()
            t0 = time.perf_counter()
            fn(*inputs)
            t1 = time.perf_counter()
            c1 = time.thread_time()
            times.append((t1 - t0) * 1000.0)
            cpu_times.append((c1 - c0) * 1000.0)
            elapsed = time.perf_counter() - start
            if max_time_s is not None and elapsed >= max_time_s and len(times) >= min(3, repeats):
                break
            if len(times) >= repeats and elapsed >= min_time_s:
                break
    (p10, p50, p90), (cpu_p10, cpu_p50, cpu_p90) = np.percentile([times, cpu_times], [10, 50, 90], axis=1).T
    return LatencyStats(median_ms=float(p50), p10_ms=float(p10), p90_ms=float(p90), min_ms=min(times),
                        mean_ms=statistics.fmean(times), repeats=len(times), batch_size=batch, threads=used,
                        cpu_median_ms=float(cpu_p50), cpu_p10_ms=float(cpu_p10), cpu_p90_ms=float(cpu_p90))


def import_torchao_quietly() -> Any:
    """Import and return ``torchao`` with its import-time log noise silenced.

    torchao 0.18 logs a warning for each optional CUDA extension it cannot load on a CPU-only
    machine, and torch logs a deprecation notice for an Enum torchao registers with pytree. Both
    are harmless here; only those two loggers are raised to ERROR, and only during the import.
    """
    loggers = [logging.getLogger("torchao"), logging.getLogger("torch.utils._pytree")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.ERROR)
    try:
        import torchao
    finally:
        for lg, level in zip(loggers, levels):
            lg.setLevel(level)
    return torchao
