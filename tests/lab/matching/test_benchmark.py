import pytest

from lab.matching.benchmark import measure_embedders, measure_exact_search


def test_it_reports_speed_per_batch_size_and_agreement_with_the_reference(
    onnx_embedder, torch_embedder, real_sentences
):
    measurements = measure_embedders(
        embedders={"torch": torch_embedder, "onnx": onnx_embedder},
        reference="torch",
        sentences=real_sentences[:20],
        batch_sizes=(1, 8),
        repeats=1,
    )

    torch_row, onnx_row = measurements
    assert torch_row.mean_cosine_to_reference == pytest.approx(1.0, abs=1e-5)
    assert 0.99 <= onnx_row.mean_cosine_to_reference < 1.0
    assert onnx_row.min_cosine_to_reference <= onnx_row.mean_cosine_to_reference
    assert set(onnx_row.sentences_per_second) == {1, 8}
    assert all(speed > 0 for speed in onnx_row.sentences_per_second.values())


def test_it_times_exact_search_per_index_size():
    measurements = measure_exact_search(sizes=(100, 1000), dimensions=8, queries=5)

    assert [measurement.vectors for measurement in measurements] == [100, 1000]
    assert all(0 < m.median_milliseconds <= m.p95_milliseconds for m in measurements)
