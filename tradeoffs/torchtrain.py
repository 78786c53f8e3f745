"""Small PyTorch training plumbing shared by the torch lessons (04 onwards).

Plumbing only: an MLP factory, pre-tensorised mini-batches, a training loop with a tqdm bar
that records a per-epoch history, evaluation, and timing/utilisation helpers that return raw
measurements. Exercise answers (early stopping, percentiles of latencies...) live in the
lessons, never here.

    model = make_mlp(784, hidden=(256, 256), n_classes=10, dropout=0.2)
    history = fit(model, X_tr, y_tr, X_va, y_va, epochs=30, batch_size=256)
    history[["epoch", "train_loss", "val_loss", "val_acc"]]
"""
from __future__ import annotations

import threading
import time
from typing import Any, Callable, Iterator, Sequence

import numpy as np
import pandas as pd
import psutil
import torch
from torch import nn

HISTORY_COLUMNS = ["epoch", "train_loss", "train_acc", "val_loss", "val_acc", "epoch_seconds", "elapsed_seconds"]


def as_tensors(X: Any, y: Any | None = None, device: str = "cpu") -> tuple[torch.Tensor, torch.Tensor | None]:
    """Convert arrays to (float32 features, int64 labels) tensors on ``device`` once, up front."""
    Xt = torch.as_tensor(np.asarray(X, dtype=np.float32)).to(device)
    yt = None if y is None else torch.as_tensor(np.asarray(y, dtype=np.int64)).to(device)
    return Xt, yt


def make_mlp(in_features: int, hidden: Sequence[int] = (256,), n_classes: int = 10, dropout: float = 0.0,
             seed: int | None = None) -> nn.Sequential:
    """A plain multi-layer perceptron: Linear -> ReLU (-> Dropout) per hidden layer, then a Linear head.

    With ``seed`` the initial weights are drawn from ``torch.manual_seed(seed)``, so two models
    built with the same seed start identical.
    """
    if seed is not None:
        torch.manual_seed(seed)
    layers: list[nn.Module] = []
    width = in_features
    for h in hidden:
        layers += [nn.Linear(width, h), nn.ReLU()]
        if dropout > 0:
            layers.append(nn.Dropout(dropout))
        width = h
    layers.append(nn.Linear(width, n_classes))
    return nn.Sequential(*layers)


def count_parameters(model: nn.Module, trainable_only: bool = False) -> int:
    """Number of parameter elements (every ``nn.Parameter``, zeros too; ``trainable_only``: requires_grad ones)."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)


def iterate_minibatches(X: torch.Tensor, y: torch.Tensor, batch_size: int, shuffle: bool = True,
                        generator: torch.Generator | None = None) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """Slice pre-tensorised data into mini-batches (no per-sample Python work, no copies of the dataset)."""
    n = len(X)
    if shuffle:
        order = torch.randperm(n, generator=generator, device="cpu").to(X.device)
        for start in range(0, n, batch_size):
            idx = order[start:start + batch_size]
            yield X[idx], y[idx]
    else:
        for start in range(0, n, batch_size):
            yield X[start:start + batch_size], y[start:start + batch_size]


@torch.no_grad()
def evaluate(model: nn.Module, X: torch.Tensor, y: torch.Tensor, batch_size: int = 2048,
             loss_fn: Callable[..., torch.Tensor] | None = None) -> tuple[float, float]:
    """Mean loss and accuracy of ``model`` on (X, y), in eval mode (dropout off); restores the previous mode."""
    loss_fn = loss_fn or nn.functional.cross_entropy
    was_training = model.training
    model.eval()
    total_loss, correct = 0.0, 0
    for start in range(0, len(X), batch_size):
        xb, yb = X[start:start + batch_size], y[start:start + batch_size]
        logits = model(xb)
        total_loss += float(loss_fn(logits, yb, reduction="sum"))
        correct += int((logits.argmax(dim=1) == yb).sum())
    model.train(was_training)
    n = max(len(X), 1)
    return total_loss / n, correct / n


def fit(model: nn.Module, X_train: Any, y_train: Any, X_val: Any, y_val: Any, epochs: int,
        batch_size: int = 256, lr: float = 1e-3, weight_decay: float = 0.0, optimizer: str = "adam",
        seed: int = 0, device: str = "cpu",
        on_epoch_end: Callable[[int, dict[str, float], nn.Module], bool | None] | None = None,
        progress: bool = True, desc: str = "training") -> pd.DataFrame:
    """Train ``model`` for up to ``epochs`` epochs and return one history row per epoch.

    Columns: ``epoch`` (1-based), ``train_loss``/``train_acc`` (running means over the epoch's
    mini-batches, as most frameworks report them, so dropout is on), ``val_loss``/``val_acc``
    (eval mode), ``epoch_seconds`` (the time spent training that epoch, evaluation excluded) and
    ``elapsed_seconds`` (cumulative training time).

    ``on_epoch_end(epoch, row, model)`` is called after every epoch; returning True stops training
    (that is how a lesson plugs in early stopping). Mini-batch order is drawn from ``seed``, so two
    calls with the same seed and the same starting weights produce the same run.
    """
    X_train, y_train = as_tensors(X_train, y_train, device) if not torch.is_tensor(X_train) else (X_train, y_train)
    X_val, y_val = as_tensors(X_val, y_val, device) if not torch.is_tensor(X_val) else (X_val, y_val)
    model.to(device)
    if optimizer == "adam":
        opt: torch.optim.Optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay) \
            if weight_decay else torch.optim.Adam(model.parameters(), lr=lr)
    elif optimizer == "sgd":
        opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9, weight_decay=weight_decay)
    else:
        raise ValueError(f"optimizer must be 'adam' or 'sgd', got {optimizer!r}")
    gen = torch.Generator().manual_seed(seed)
    rows: list[dict[str, float]] = []
    elapsed = 0.0
    bar = _tqdm(range(1, epochs + 1), desc=desc, disable=not progress)
    for epoch in bar:
        model.train()
        t0 = time.perf_counter()
        loss_sum = torch.zeros((), device=X_train.device)
        correct = torch.zeros((), dtype=torch.long, device=X_train.device)
        for xb, yb in iterate_minibatches(X_train, y_train, batch_size, shuffle=True, generator=gen):
            opt.zero_grad(set_to_none=True)
            logits = model(xb)
            loss = nn.functional.cross_entropy(logits, yb)
            loss.backward()
            opt.step()
            loss_sum += loss.detach() * len(xb)
            correct += (logits.detach().argmax(dim=1) == yb).sum()
        synchronize(device)
        seconds = time.perf_counter() - t0
        elapsed += seconds
        train_loss, train_acc = float(loss_sum) / len(X_train), int(correct) / len(X_train)
        val_loss, val_acc = evaluate(model, X_val, y_val)
        row = {"epoch": epoch, "train_loss": train_loss, "train_acc": train_acc, "val_loss": val_loss,
               "val_acc": val_acc, "epoch_seconds": seconds, "elapsed_seconds": elapsed}
        rows.append(row)
        bar.set_postfix(train_loss=f"{train_loss:.3f}", val_loss=f"{val_loss:.3f}", val_acc=f"{val_acc:.3f}")
        if on_epoch_end is not None and on_epoch_end(epoch, row, model):
            break
    bar.close()
    return pd.DataFrame(rows, columns=HISTORY_COLUMNS)


def _tqdm(iterable: Any, **kwargs: Any) -> Any:
    from tqdm.auto import tqdm

    return tqdm(iterable, **kwargs)


def synchronize(device: str | torch.device = "cpu") -> None:
    """Wait for queued GPU work (CUDA kernels run asynchronously); a no-op on CPU."""
    if str(device).startswith("cuda") and torch.cuda.is_available():
        torch.cuda.synchronize()


def time_calls(fn: Callable[[], Any], n_calls: int, warmup: int = 3, device: str = "cpu") -> np.ndarray:
    """Call ``fn()`` ``warmup`` times untimed, then ``n_calls`` times; return each call's seconds.

    On CUDA every call is synchronised before the clock stops, so the numbers are the real
    latencies rather than the time to queue a kernel. Summarise the samples yourself.
    """
    for _ in range(warmup):
        fn()
    synchronize(device)
    out = np.empty(n_calls, dtype=float)
    for i in range(n_calls):
        t0 = time.perf_counter()
        fn()
        synchronize(device)
        out[i] = time.perf_counter() - t0
    return out


def cuda_time(fn: Callable[[], Any], repeats: int = 1) -> float:
    """Seconds per call of ``fn`` measured with CUDA events (GPU time; requires CUDA)."""
    if not torch.cuda.is_available():
        raise RuntimeError("cuda_time needs a CUDA GPU; use time_calls on CPU.")
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    torch.cuda.synchronize()
    start.record()
    for _ in range(repeats):
        fn()
    end.record()
    torch.cuda.synchronize()
    return start.elapsed_time(end) / 1000.0 / repeats


def gpu_utilization() -> float | None:
    """Current GPU utilisation in percent (needs CUDA and the NVML bindings), else None."""
    if not torch.cuda.is_available():
        return None
    try:
        return float(torch.cuda.utilization())
    except Exception:  # NVML bindings (pynvml) missing or unsupported
        return None


class UtilisationSampler:
    """Sample this machine's CPU utilisation (psutil) and GPU utilisation in a background thread.

        with UtilisationSampler() as util:
            train()
        util.cpu_percent           # whole machine, mean over the block, 100 = every core busy
        util.process_cpu_percent   # this process only, 100 = one core busy (can exceed 100)

    On a shared machine the whole-machine figure includes everyone else's work; the process
    figure is what this code used.
    """

    def __init__(self, interval: float = 0.1):
        self.interval = interval
        self._proc = psutil.Process()
        self.process_cpu_samples: list[float] = []
        self.cpu_samples: list[float] = []
        self.gpu_samples: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.cpu_samples.append(psutil.cpu_percent(interval=None))
            self.process_cpu_samples.append(self._proc.cpu_percent(interval=None))
            gpu = gpu_utilization()
            if gpu is not None:
                self.gpu_samples.append(gpu)

    def __enter__(self) -> "UtilisationSampler":
        psutil.cpu_percent(interval=None)  # the first calls only prime the counters
        self._proc.cpu_percent(interval=None)
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join()
        if not self.cpu_samples:
            self.cpu_samples.append(psutil.cpu_percent(interval=None))
            self.process_cpu_samples.append(self._proc.cpu_percent(interval=None))

    @property
    def cpu_percent(self) -> float:
        """Mean CPU utilisation over the block, in percent of all logical cores."""
        return float(np.mean(self.cpu_samples)) if self.cpu_samples else float("nan")

    @property
    def process_cpu_percent(self) -> float:
        """Mean CPU use of this process over the block, in percent of one core."""
        return float(np.mean(self.process_cpu_samples)) if self.process_cpu_samples else float("nan")

    @property
    def gpu_percent(self) -> float | None:
        """Mean GPU utilisation over the block, or None without CUDA/NVML."""
        return float(np.mean(self.gpu_samples)) if self.gpu_samples else None
