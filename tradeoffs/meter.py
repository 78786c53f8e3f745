"""Measure what a block of code costs: wall time, CPU time, peak memory, GPU time, dollars.

    with measure("random forest", lesson="01") as run:
        model.fit(X, y)
    run.log(metric="roc_auc", value=auc)          # one row in the results ledger
    print(run.wall_s, run.cost_usd)

Cost is the instance's hourly rate (``data/prices.csv``) times the measured wall-clock hours,
which is how cloud machines bill.
"""
from __future__ import annotations

import os
import platform
import sys
import threading
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import psutil

from . import ledger
from .prices import DEFAULT_INSTANCE, hourly_rate
from .scale import active_setup, cuda_available, get_device, get_scale

RUN_ID = os.environ.get("TRADEOFFS_RUN_ID") or uuid.uuid4().hex[:8]
_RAPL = Path("/sys/class/powercap/intel-rapl:0/energy_uj")


def hardware_description() -> str:
    """A short description of this machine: CPU model, core count and GPU if present."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    text = f"{cpu} x{psutil.cpu_count(logical=True)} logical cores"
    if cuda_available():  # answers without importing torch (seconds) on a machine with no NVIDIA driver
        import torch

        text += f" + {torch.cuda.device_count()}x {torch.cuda.get_device_name(0)}"
    return text


def _read_energy_uj() -> int | None:
    try:
        return int(_RAPL.read_text())
    except (OSError, ValueError):
        return None


class _PeakMemory:
    """Samples this process's (and its children's) resident memory in a background thread."""

    def __init__(self, interval: float = 0.02):
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _rss(self) -> int:
        proc = psutil.Process()
        total = proc.memory_info().rss
        for child in proc.children(recursive=True):
            try:
                total += child.memory_info().rss
            except psutil.Error:
                pass
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._rss())
            self._stop.wait(self.interval)

    def __enter__(self) -> "_PeakMemory":
        self.peak = self._rss()
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._rss())


@dataclass
class Measurement:
    """The measured cost of one block. Fields are filled in when the ``with`` block ends."""

    name: str
    lesson: str
    instance: str = DEFAULT_INSTANCE
    usd_per_hour: float = 0.0
    wall_s: float = 0.0
    cpu_s: float = 0.0
    peak_mem_mb: float = 0.0
    gpu_s: float | None = None
    energy_wh: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def cost_usd(self) -> float:
        """Dollars for the measured wall time at the instance's hourly rate."""
        return self.usd_per_hour * self.wall_s / 3600.0

    def log(self, metric: str = "", value: float | None = None, **columns: Any) -> dict[str, Any]:
        """Write this measurement as one ledger row (extra keyword columns are kept) and return it."""
        active = active_setup()  # the lesson's own setup(scale=..., device=...), not the environment's default
        row: dict[str, Any] = {
            "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S"), "run_id": RUN_ID, "lesson": self.lesson,
            "name": self.name, "scale": active.scale if active else get_scale(),
            "device": active.device if active else get_device(), "hardware": hardware_description(),
            "metric": metric, "value": value, "train_seconds": round(self.wall_s, 4),
            "cpu_seconds": round(self.cpu_s, 4), "peak_mem_mb": round(self.peak_mem_mb, 1),
            "gpu_seconds": self.gpu_s, "instance": self.instance, "usd_per_hour": self.usd_per_hour,
            "cost_usd": self.cost_usd, "energy_wh": self.energy_wh,
        }
        row.update(self.extra)
        row.update(columns)
        ledger.append_row(row)
        return row

    def __str__(self) -> str:
        return (f"{self.name}: {self.wall_s:.2f} s wall, {self.cpu_s:.2f} s CPU, "
                f"peak {self.peak_mem_mb:.0f} MB, ${self.cost_usd:.6f} on {self.instance}")


@contextmanager
def measure(name: str, lesson: str = "", instance: str = DEFAULT_INSTANCE, sync_cuda: bool = True,
            **extra: Any) -> Iterator[Measurement]:
    """Measure the block's wall/CPU time, peak memory and cost; CUDA work is synchronised first."""
    result = Measurement(name=name, lesson=lesson, instance=instance, usd_per_hour=hourly_rate(instance),
                         extra=extra)
    # CUDA work to wait for exists only if this process imported torch and initialised CUDA (importing
    # torch just to find out would cost scikit-learn lessons two seconds per measured block's first use).
    torch = sys.modules.get("torch") if sync_cuda else None
    cuda = torch is not None and torch.cuda.is_available() and torch.cuda.is_initialized()
    proc = psutil.Process()
    energy0 = _read_energy_uj()
    with _PeakMemory() as mem:
        if cuda:
            torch.cuda.synchronize()
            start_evt, end_evt = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            start_evt.record()
        cpu0 = proc.cpu_times()
        t0 = time.perf_counter()
        try:
            yield result
        finally:
            if cuda:
                end_evt.record()
                torch.cuda.synchronize()
                result.gpu_s = start_evt.elapsed_time(end_evt) / 1000.0
            result.wall_s = time.perf_counter() - t0
            cpu1 = proc.cpu_times()
            result.cpu_s = (cpu1.user - cpu0.user) + (cpu1.system - cpu0.system) + \
                (cpu1.children_user - cpu0.children_user) + (cpu1.children_system - cpu0.children_system)
    result.peak_mem_mb = mem.peak / 2**20
    energy1 = _read_energy_uj()
    if energy0 is not None and energy1 is not None and energy1 >= energy0:
        result.energy_wh = (energy1 - energy0) / 3.6e9
