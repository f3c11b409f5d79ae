from pathlib import Path

import numpy as np
import pytest

from claims.similarity.config import CLAIM_MATCHING_ENCODER
from claims.similarity.embedder import TorchEmbedder, load_encoder
from lab.matching.benchmark import (
    agreement,
    benchmark_sentences,
    encode_batches,
    load_int8_onnx_weights,
    measure_exact_search,
    runner_batches,
    time_batches,
)

SHARED_DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data"


def test_every_backend_is_fed_the_runners_batches_longest_first(onnx_embedder, real_sentences):
    sentences = real_sentences[:20]

    batches = runner_batches(sentences, tokenizer_file=onnx_embedder.tokenizer_file, batch_size=8)

    assert [len(batch) for batch in batches] == [8, 8, 4]
    assert sorted(text for batch in batches for text in batch) == sorted(sentences)
    lengths = [len(onnx_embedder.tokenizer.encode(text).ids) for batch in batches for text in batch]
    assert lengths == sorted(lengths, reverse=True)


def test_it_times_the_batches_and_measures_agreement_with_the_reference(onnx_embedder, torch_embedder, real_sentences):
    batches = runner_batches(real_sentences[:20], tokenizer_file=onnx_embedder.tokenizer_file, batch_size=8)

    speed = time_batches(onnx_embedder, batches)
    row = agreement(
        "onnx",
        encode_batches(onnx_embedder, batches),
        reference="torch",
        reference_vectors=encode_batches(torch_embedder, batches),
    )

    assert speed > 0
    assert row.reference == "torch"
    assert 0.99 <= row.mean_cosine < 1.0
    assert row.min_cosine <= row.mean_cosine


def test_the_int8_encoders_weights_dequantized_into_torch_give_its_vectors_back(real_sentences):
    served = load_encoder(CLAIM_MATCHING_ENCODER, threads=1)
    packaged = TorchEmbedder(threads=1)
    fine_tuned = TorchEmbedder(threads=1)
    load_int8_onnx_weights(fine_tuned.model, model_file=served.model_file)
    texts = real_sentences[:24]

    onnx_vectors = served.encode(texts)
    fine_tuned_cosines = np.sum(fine_tuned.encode(texts) * onnx_vectors, axis=1)
    packaged_cosines = np.sum(packaged.encode(texts) * onnx_vectors, axis=1)

    # Only activation rounding separates the int8 run from its own weights in fp32; the packaged
    # weights it was fine-tuned from are much further away.
    assert fine_tuned_cosines.mean() >= 0.98
    assert packaged_cosines.mean() < fine_tuned_cosines.mean() - 0.02


def test_a_file_of_another_architecture_is_refused(tmp_path, onnx_embedder):
    import onnx

    model = onnx.load(str(onnx_embedder.model_file))
    del model.graph.initializer[:]
    onnx.save(model, str(tmp_path / "empty.onnx"))

    with pytest.raises((ValueError, KeyError)):
        load_int8_onnx_weights(TorchEmbedder(threads=1).model, model_file=tmp_path / "empty.onnx")


@pytest.mark.skipif(not SHARED_DATA.exists(), reason="the shared data folder is not beside the checkout")
def test_benchmark_sentences_are_distinct_real_news_and_claim_text():
    sentences = benchmark_sentences(
        news_file=SHARED_DATA / "news" / "bbc_news_2225" / "articles.jsonl",
        claims_dir=SHARED_DATA / "claim_retrieval" / "clef2022_task2a_en",
        count=200,
    )

    assert len(sentences) == len(set(sentences)) == 200
    assert all(sentence.strip() for sentence in sentences)


def test_it_times_exact_search_per_index_size():
    measurements = measure_exact_search(sizes=(100, 1000), dimensions=8, queries=5)

    assert [measurement.vectors for measurement in measurements] == [100, 1000]
    assert all(0 < m.median_milliseconds <= m.p95_milliseconds for m in measurements)
