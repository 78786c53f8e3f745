"""Unit tests for tradeoffs.modelsize (model size and latency plumbing for lesson 07)."""
from __future__ import annotations

import io
import logging

import numpy as np
import pytest
import torch
from torch import nn
from torch.nn.utils import prune

from tradeoffs import modelsize
from tradeoffs.modelsize import (LatencyStats, compressed_size, count_parameters, latency, num_threads,
                                 serialized_bytes, serialized_size)


def _mlp() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))


def test_count_parameters_counts_every_element():
    model = _mlp()
    assert count_parameters(model) == 64 * 32 + 32 + 32 * 10 + 10
    model[0].weight.requires_grad_(False)
    assert count_parameters(model, trainable_only=True) == 32 + 32 * 10 + 10
    assert count_parameters(model) == 64 * 32 + 32 + 32 * 10 + 10


def test_serialized_size_matches_torch_save_and_accepts_state_dicts():
    model = _mlp()
    buffer = io.BytesIO()
    torch.save(model.state_dict(), buffer)
    assert serialized_size(model) == len(buffer.getvalue())
    assert serialized_size(model.state_dict()) == serialized_size(model)
    assert serialized_bytes(model) == buffer.getvalue()
    # about 4 bytes per float32 parameter plus a small header
    assert 4 * count_parameters(model) < serialized_size(model) < 4 * count_parameters(model) + 4096


def test_pruning_masks_make_the_checkpoint_bigger_until_removed():
    model = _mlp()
    dense = serialized_size(model)
    prune.l1_unstructured(model[0], "weight", amount=0.5)
    assert serialized_size(model) > dense  # weight_orig + weight_mask
    prune.remove(model[0], "weight")
    assert serialized_size(model) == dense


def test_compressed_size_rewards_zeros():
    model = _mlp()
    dense = compressed_size(model)
    with torch.no_grad():
        for p in model.parameters():
            p[torch.rand_like(p) < 0.9] = 0.0
    assert compressed_size(model) < 0.5 * dense
    assert compressed_size(model) < serialized_size(model)


def test_num_threads_restores_setting():
    before = torch.get_num_threads()
    with num_threads(1) as n:
        assert n == 1 and torch.get_num_threads() == 1
    assert torch.get_num_threads() == before
    with num_threads(None) as n:
        assert n == before
    with pytest.raises(ValueError):
        with num_threads(0):
            pass


def test_latency_statistics_are_ordered_and_count_calls():
    calls = []
    model = _mlp().eval()
    x = torch.rand(8, 64)

    def fn(inp):
        calls.append(1)
        return model(inp)

    stats = latency(fn, x, repeats=7, warmup=2, threads=1)
    assert isinstance(stats, LatencyStats)
    assert len(calls) == 9 and stats.repeats == 7
    assert stats.batch_size == 8 and stats.threads == 1
    assert 0 < stats.min_ms <= stats.p10_ms <= stats.median_ms <= stats.p90_ms
    assert stats.spread >= 1.0
    assert stats.per_item_ms == pytest.approx(stats.median_ms / 8)
    assert "median" in str(stats)


def test_latency_runs_in_inference_mode_and_respects_max_time():
    seen = []

    def fn():
        seen.append(torch.is_inference_mode_enabled())

    stats = latency(fn, repeats=1000, warmup=0, threads=None, max_time_s=0.0)
    assert all(seen)
    assert 3 <= stats.repeats < 1000
    assert stats.batch_size is None
    with pytest.raises(ValueError):
        latency(fn, repeats=0)


def test_latency_percentiles_are_numpys(monkeypatch):
    """p10/median/p90 come from np.percentile (the package does not re-implement lesson 05's exercise)."""
    durations = [0.004, 0.001, 0.010, 0.002, 0.003]  # seconds, in the order the runs happen

    def ticks():
        now = 0.0
        yield now                       # the loop's start
        for d in durations:
            yield now                   # before the call
            now += d
            yield now                   # after it
            yield now                   # the elapsed-time check
    clock = ticks()
    monkeypatch.setattr(modelsize.time, "perf_counter", lambda: next(clock))
    stats = latency(lambda: None, repeats=5, warmup=0, threads=None, min_time_s=0.0)
    ms = np.array(durations) * 1000
    assert stats.repeats == 5 and stats.min_ms == pytest.approx(1.0)
    assert (stats.p10_ms, stats.median_ms, stats.p90_ms) == pytest.approx(tuple(np.percentile(ms, [10, 50, 90])))


def test_import_torchao_quietly_restores_logger_levels():
    logger = logging.getLogger("torchao")
    logger.setLevel(logging.INFO)
    torchao = modelsize.import_torchao_quietly()
    assert hasattr(torchao, "quantization")
    assert logger.level == logging.INFO
    logger.setLevel(logging.NOTSET)


def test_latency_reports_thread_cpu_time():
    model = _mlp().eval()
    stats = latency(model, torch.rand(64, 64), repeats=5, warmup=1, threads=1)
    assert 0 <= stats.cpu_p10_ms <= stats.cpu_median_ms <= stats.cpu_p90_ms
    # CPU time of the calling thread cannot exceed its wall time by more than clock granularity
    assert stats.cpu_median_ms <= stats.median_ms + 1.0
    assert stats.cpu_spread >= 1.0 or stats.cpu_p10_ms == 0
    assert "thread CPU median" in str(stats)
