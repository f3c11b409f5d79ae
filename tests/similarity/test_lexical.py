import pytest

from claims.similarity.lexical import BM25Index, tokenize

CORPUS = {
    "emoluments": "Ilhan Omar said Trump should comply with the emoluments clause.",
    "draft": "The U.S. Army is sending text messages about a military draft.",
    "anaconda": "A video shows a 10-meter-long anaconda swimming across a river in Brazil.",
}


@pytest.fixture
def index() -> BM25Index:
    return BM25Index(ids=list(CORPUS), texts=list(CORPUS.values()))


def test_it_tokenises_documents_and_queries_alike():
    assert tokenize("The Army's DRAFT texts, 2020!") == ["army", "s", "draft", "texts", "2020"]
    assert tokenize("The Army's DRAFT texts, 2020!", drop_stopwords=False)[0] == "the"


def test_it_keeps_negations_which_change_a_claim():
    assert "not" in tokenize("The Army is not contacting anyone")


def test_it_ranks_the_document_sharing_the_rare_words_first(index):
    results = index.search("army draft text message scam", 3)

    assert results[0][0] == "draft"
    assert all(score > 0 for _, score in results)


def test_it_returns_nothing_for_a_query_without_known_words(index):
    assert index.search("zzz qqq", 3) == []
    assert index.search("", 3) == []


def test_it_scores_every_document_in_id_order(index):
    scores = index.score_all("anaconda river")

    assert scores.shape == (3,)
    assert scores.argmax() == 2
    assert scores[0] == 0


def test_it_rejects_duplicate_ids():
    with pytest.raises(ValueError):
        BM25Index(ids=["a", "a"], texts=["one", "two"])
