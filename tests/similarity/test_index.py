import numpy as np
import pytest

from claims.similarity.index import ExactNumpyIndex, VectorIndex


def unit_vectors(count: int, dimensions: int, seed: int = 0) -> np.ndarray:
    vectors = np.random.default_rng(seed).normal(size=(count, dimensions)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_it_returns_the_exact_nearest_neighbours_best_first():
    vectors = unit_vectors(500, 16)
    index = ExactNumpyIndex(dimensions=16, capacity=8)
    index.add([f"doc-{row}" for row in range(500)], vectors)
    query = unit_vectors(1, 16, seed=1)[0]

    results = index.search(query, 5)

    expected = np.argsort(-(vectors @ query))[:5]
    assert [document_id for document_id, _ in results] == [f"doc-{row}" for row in expected]
    assert [score for _, score in results] == pytest.approx([float(vectors[row] @ query) for row in expected])


def test_it_satisfies_the_vector_index_protocol():
    assert isinstance(ExactNumpyIndex(dimensions=4), VectorIndex)


def test_it_replaces_the_vector_of_an_id_added_again():
    index = ExactNumpyIndex(dimensions=2)
    index.add([1, 2], np.array([[1.0, 0.0], [0.0, 1.0]], dtype=np.float32))
    index.add([1], np.array([[0.0, -1.0]], dtype=np.float32))

    assert len(index) == 2
    assert index.search(np.array([0.0, -1.0], dtype=np.float32), 2) == [(1, 1.0), (2, -1.0)]


def test_it_forgets_removed_ids():
    index = ExactNumpyIndex(dimensions=2)
    index.add(["a", "b", "c"], np.array([[1.0, 0.0], [0.6, 0.8], [0.0, 1.0]], dtype=np.float32))
    index.remove(["a"])

    assert [document_id for document_id, _ in index.search(np.array([1.0, 0.0], dtype=np.float32), 3)] == ["b", "c"]


def test_it_returns_fewer_results_than_k_on_a_small_index():
    index = ExactNumpyIndex(dimensions=2)
    index.add(["only"], np.array([[1.0, 0.0]], dtype=np.float32))

    assert index.search(np.array([1.0, 0.0], dtype=np.float32), 10) == [("only", 1.0)]
    assert ExactNumpyIndex(dimensions=2).search(np.array([1.0, 0.0], dtype=np.float32), 3) == []


def test_it_refuses_vectors_of_the_wrong_dimension():
    index = ExactNumpyIndex(dimensions=3)

    with pytest.raises(ValueError):
        index.add(["a"], np.ones((1, 4), dtype=np.float32))
    with pytest.raises(ValueError):
        index.add(["a", "b"], np.ones((1, 3), dtype=np.float32))
