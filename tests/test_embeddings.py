"""Unit tests for tradeoffs.embeddings: caching logic with a fake encoder, plus the real model offline."""
from __future__ import annotations

import json
import os

import numpy as np
import pytest

from tradeoffs import embeddings as emb


class FakeEncoder:
    """Deterministic 4-d 'embedding' (length, vowels, spaces, hash) that counts the texts it encodes."""

    def __init__(self) -> None:
        self.calls = 0
        self.texts_seen = 0

    def encode(self, sentences, batch_size=32, show_progress_bar=False, convert_to_numpy=True):
        self.calls += 1
        self.texts_seen += len(sentences)
        return np.array([[len(s), sum(c in "aeiou" for c in s), s.count(" "), hash(s) % 97] for s in sentences],
                        dtype=np.float64)


TEXTS = ["a fine film", "dull and long", "great acting", "not good", "the best of the year"]


def test_texts_hash_is_order_and_boundary_sensitive():
    assert emb.texts_hash(["ab"]) != emb.texts_hash(["a", "b"])
    assert emb.texts_hash(["a", "b"]) != emb.texts_hash(["b", "a"])
    assert emb.texts_hash(TEXTS) == emb.texts_hash(list(TEXTS))


def test_cache_path_keyed_by_model_and_data(tmp_path):
    p1 = emb.cache_path(TEXTS, "model-a", tmp_path)
    assert p1 == emb.cache_path(list(TEXTS), "model-a", tmp_path)
    assert p1 != emb.cache_path(TEXTS, "model-b", tmp_path)
    assert p1 != emb.cache_path(TEXTS[:-1], "model-a", tmp_path)
    assert p1.parent == tmp_path and p1.suffix == ".npy"


def test_second_call_hits_cache_and_keeps_original_cost(tmp_path):
    enc = FakeEncoder()
    first = emb.embed_cached(TEXTS, enc, model_name="fake", folder=tmp_path, chunk=2, progress=False)
    assert not first.from_cache and enc.calls == 3 and enc.texts_seen == len(TEXTS)  # 3 chunks of <= 2
    assert first.vectors.shape == (5, 4) and first.vectors.dtype == np.float32
    assert first.path.exists() and first.path.with_suffix(".json").exists()
    second = emb.embed_cached(TEXTS, None, model_name="fake", folder=tmp_path, progress=False)
    assert second.from_cache and enc.calls == 3, "a cache hit must not call the encoder"
    np.testing.assert_array_equal(second.vectors, first.vectors)
    assert second.cpu_s == pytest.approx(first.cpu_s) and second.wall_s == pytest.approx(first.wall_s)
    assert second.cpu_s_per_text == pytest.approx(first.cpu_s / 5)


def test_miss_without_encoder_raises(tmp_path):
    with pytest.raises(ValueError, match="pass an encoder"):
        emb.embed_cached(TEXTS, None, model_name="fake", folder=tmp_path, progress=False)


def test_other_data_or_model_is_a_miss(tmp_path):
    enc = FakeEncoder()
    emb.embed_cached(TEXTS, enc, model_name="fake", folder=tmp_path, progress=False)
    emb.embed_cached(TEXTS[:3], enc, model_name="fake", folder=tmp_path, progress=False)
    emb.embed_cached(TEXTS, enc, model_name="fake-2", folder=tmp_path, progress=False)
    assert enc.calls == 3
    assert len(list(tmp_path.glob("*.npy"))) == 3
    assert not list(tmp_path.glob(".*tmp*")), "temporary files must be renamed into place"


def test_damaged_cache_is_recomputed(tmp_path):
    enc = FakeEncoder()
    first = emb.embed_cached(TEXTS, enc, model_name="fake", folder=tmp_path, progress=False)
    first.path.with_suffix(".json").write_text("{not json")
    again = emb.embed_cached(TEXTS, enc, model_name="fake", folder=tmp_path, progress=False)
    assert not again.from_cache and enc.calls == 2
    assert json.loads(first.path.with_suffix(".json").read_text())["n"] == 5


def test_use_cache_false_writes_nothing(tmp_path):
    enc = FakeEncoder()
    result = emb.embed_cached(TEXTS, enc, model_name="fake", folder=tmp_path, progress=False, use_cache=False)
    assert result.path is None and not list(tmp_path.iterdir())


def test_default_folder_is_under_cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("TRADEOFFS_DATA", str(tmp_path))
    path = emb.cache_path(TEXTS, "fake")
    assert path.parent == tmp_path / "cache" / "embeddings"


def test_model_key_names_the_package_version():
    assert emb.model_key().startswith("all-MiniLM-L6-v2@")
    assert emb.model_key("other") == "other"


@pytest.mark.slow
def test_real_model_loads_offline_and_embeds_two_sentences(monkeypatch):
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    encoder = emb.load_pretrained(device="cpu")
    assert os.environ["HF_HUB_OFFLINE"] == "1" and os.environ["TRANSFORMERS_OFFLINE"] == "1"
    result = emb.embed_cached(["A wonderful, moving film.", "A dull, tedious mess."], encoder, progress=False,
                              use_cache=False)
    assert result.vectors.shape == (2, 384)
    norms = np.linalg.norm(result.vectors, axis=1)
    assert np.all(norms > 0.5) and np.isfinite(result.vectors).all()
