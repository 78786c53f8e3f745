"""Unit tests for tradeoffs.torchtrain (small, CPU-only, a few seconds)."""
from __future__ import annotations

import time

import numpy as np
import pytest
import torch
from torch import nn

from tradeoffs import torchtrain as tt


def _toy(n=200, d=10, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)).astype(np.float32)
    y = (X[:, 0] + X[:, 1] > 0).astype(np.int64)
    return X, y


def test_make_mlp_shapes_and_seed():
    a = tt.make_mlp(10, hidden=(8, 4), n_classes=3, dropout=0.1, seed=1)
    b = tt.make_mlp(10, hidden=(8, 4), n_classes=3, dropout=0.1, seed=1)
    assert sum(isinstance(m, nn.Dropout) for m in a) == 2
    assert tt.count_parameters(a) == (10 * 8 + 8) + (8 * 4 + 4) + (4 * 3 + 3)
    for pa, pb in zip(a.parameters(), b.parameters()):
        assert torch.equal(pa, pb)
    assert a(torch.zeros(5, 10)).shape == (5, 3)


def test_iterate_minibatches_covers_every_sample_once():
    X = torch.arange(10, dtype=torch.float32).unsqueeze(1)
    y = torch.arange(10)
    batches = list(tt.iterate_minibatches(X, y, 4, shuffle=True, generator=torch.Generator().manual_seed(0)))
    assert [len(b[1]) for b in batches] == [4, 4, 2]
    seen = torch.cat([b[1] for b in batches])
    assert sorted(seen.tolist()) == list(range(10))
    for xb, yb in batches:
        assert torch.equal(xb.squeeze(1).long(), yb)
    ordered = list(tt.iterate_minibatches(X, y, 4, shuffle=False))
    assert torch.equal(ordered[0][1], torch.arange(4))


def test_evaluate_restores_mode_and_counts():
    model = nn.Sequential(nn.Linear(2, 2), nn.Dropout(0.5))
    with torch.no_grad():
        model[0].weight.copy_(torch.eye(2))
        model[0].bias.zero_()
    model.train()
    X = torch.tensor([[1.0, 0.0], [0.0, 1.0], [2.0, 0.0]])
    y = torch.tensor([0, 1, 1])
    loss, acc = tt.evaluate(model, X, y, batch_size=2)
    assert model.training
    assert acc == pytest.approx(2 / 3)
    assert loss > 0


def test_fit_history_is_deterministic_and_stops_on_callback():
    X, y = _toy()
    kwargs = dict(epochs=4, batch_size=32, lr=1e-2, seed=3, progress=False)
    h1 = tt.fit(tt.make_mlp(10, (16,), 2, seed=0), X[:150], y[:150], X[150:], y[150:], **kwargs)
    h2 = tt.fit(tt.make_mlp(10, (16,), 2, seed=0), X[:150], y[:150], X[150:], y[150:], **kwargs)
    assert list(h1.columns) == tt.HISTORY_COLUMNS
    assert list(h1["epoch"]) == [1, 2, 3, 4]
    np.testing.assert_allclose(h1["val_loss"], h2["val_loss"])
    assert h1["train_loss"].iloc[-1] < h1["train_loss"].iloc[0]
    assert (h1["epoch_seconds"] > 0).all()
    np.testing.assert_allclose(h1["elapsed_seconds"], h1["epoch_seconds"].cumsum())
    calls = []
    h3 = tt.fit(tt.make_mlp(10, (16,), 2, seed=0), X[:150], y[:150], X[150:], y[150:],
                on_epoch_end=lambda e, row, m: calls.append(e) or e == 2, **kwargs)
    assert len(h3) == 2 and calls == [1, 2]
    np.testing.assert_allclose(h3["val_loss"], h1["val_loss"].iloc[:2])


def test_fit_weight_decay_and_sgd_run():
    X, y = _toy(n=120)
    h = tt.fit(tt.make_mlp(10, (8,), 2, dropout=0.2, seed=0), X[:100], y[:100], X[100:], y[100:], epochs=2,
               weight_decay=0.01, optimizer="sgd", lr=0.05, progress=False)
    assert len(h) == 2
    with pytest.raises(ValueError):
        tt.fit(tt.make_mlp(10, (8,), 2), X, y, X, y, epochs=1, optimizer="lbfgs", progress=False)


def test_time_calls_returns_one_sample_per_call():
    counter = {"n": 0}

    def fn():
        counter["n"] += 1
        time.sleep(0.001)

    out = tt.time_calls(fn, n_calls=5, warmup=2)
    assert out.shape == (5,) and counter["n"] == 7
    assert (out >= 0.0009).all()


def test_utilisation_sampler_and_gpu_helpers_on_cpu():
    with tt.UtilisationSampler(interval=0.01) as util:
        sum(i * i for i in range(200_000))
    assert 0.0 <= util.cpu_percent <= 100.0
    assert util.process_cpu_percent >= 0.0
    if not torch.cuda.is_available():
        assert util.gpu_percent is None
        assert tt.gpu_utilization() is None
        with pytest.raises(RuntimeError):
            tt.cuda_time(lambda: None)
    tt.synchronize("cpu")


def test_as_tensors_dtypes():
    Xt, yt = tt.as_tensors(np.zeros((3, 2), dtype=np.float64), [0, 1, 2])
    assert Xt.dtype == torch.float32 and yt.dtype == torch.int64
    Xt, yt = tt.as_tensors(np.zeros((3, 2)))
    assert yt is None
