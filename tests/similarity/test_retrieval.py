import pytest

from claims.similarity.retrieval import FusionConfig, HybridRetriever
from claims.similarity.text import build_document_text

VERDICTS = {
    "draft-texts": build_document_text(
        claim="The U.S. Army is sending text messages informing people they have been drafted.",
        title="Is the U.S. Army Texting People About a Military Draft?",
    ),
    "wombat-heroes": build_document_text(
        claim="Wombats are herding other animals into their burrows to save them from the Australian bushfires.",
        title="Are Wombats Shepherding Animals to Safety During Australian Fires?",
    ),
    "omar-emoluments": build_document_text(
        claim="Rep. Ilhan Omar advised Iran on which Trump properties to attack.",
        title="Did Ilhan Omar Give Iran Advice on Where to Attack?",
    ),
    "gaga-oreo": build_document_text(
        claim="Oreo released Lady Gaga-themed cookies.", title="Did Oreo Release Lady Gaga Cookies?"
    ),
}


@pytest.fixture(scope="module")
def retriever(onnx_embedder):
    return HybridRetriever(ids=list(VERDICTS), texts=list(VERDICTS.values()), embedders={"dense": onnx_embedder})


def test_it_matches_a_post_to_the_verdict_that_checked_it(retriever):
    post = (
        "Fact check: The U.S. Army is NOT contacting anyone regarding the draft. If you are receiving texts, "
        "they are not official pic.twitter.com/3S32De8ekP — U.S. Army CGSC (@USACGSC) January 8, 2020"
    )

    results = retriever.search(post, k=2)

    assert results[0].id == "draft-texts"
    assert results[0].score > results[1].score
    assert set(results[0].method_scores) == {"dense", "bm25"}
    assert results[0].method_scores["bm25"] > 0


def test_it_finds_a_paraphrase_with_no_shared_rare_words(retriever):
    [best] = retriever.search("little marsupials shelter koalas underground as the bush burns", k=1)

    assert best.id == "wombat-heroes"
    assert best.method_scores["bm25"] == 0


def test_it_ranks_with_reciprocal_rank_fusion_when_configured(onnx_embedder, retriever):
    rrf = HybridRetriever(
        ids=list(VERDICTS),
        texts=list(VERDICTS.values()),
        embedders={"dense": onnx_embedder},
        fusion=FusionConfig(method="rrf", weights={"dense": 1.0, "bm25": 1.0}, rrf_k=60),
        document_vectors={"dense": retriever.vector_indexes["dense"].vectors},
    )

    [best] = rrf.search("Lady Gaga Oreo cookies drop today!", k=1)

    assert best.id == "gaga-oreo"
    assert best.score == pytest.approx(2 / 61)


def test_it_searches_many_queries_as_it_searches_one(retriever):
    queries = ["Oreo x Lady Gaga packs", "Ilhan Omar told Iran where to strike"]

    many = retriever.search_many(queries, k=4)

    for query, ranking in zip(queries, many, strict=True):
        single = retriever.search(query, k=4)
        assert [result.id for result in ranking] == [result.id for result in single]


def test_it_refuses_an_embedder_named_like_the_lexical_method(onnx_embedder):
    with pytest.raises(ValueError):
        HybridRetriever(ids=["a"], texts=["text"], embedders={"bm25": onnx_embedder})


def test_it_refuses_an_unknown_fusion_method():
    with pytest.raises(ValueError):
        FusionConfig(method="borda")
