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


def test_the_stored_terms_scorer_equals_bm25s_when_query_words_hide_inside_other_words():
    """A query word that is part of a longer word ("art" in "start", "vaccine" in "vaccines") or
    repeated in a row must count as bm25s counts it: whole tokens only."""
    from collections import Counter

    from claims.similarity.lexical import BM25Scorer, CorpusStatistics, lexical_terms, query_terms

    texts = [
        "Start the art fair: art lovers start early.",
        "Vaccines and the vaccine: a vaccine passport.",
        "Smart artists restart their startups.",
        "The vaccines arrived; no art here.",
        "Nothing in common at all.",
    ]
    ids = list(range(len(texts)))
    stored = [lexical_terms(text) for text in texts]
    frequencies = Counter(term for terms in stored for term in set(terms.split()))
    statistics = CorpusStatistics(documents=len(texts), terms=sum(len(terms.split()) for terms in stored))
    index = BM25Index(ids=ids, texts=texts)
    for query in ("art start", "vaccine", "art vaccine smart", "common art artists"):
        terms = query_terms(query)
        scorer = BM25Scorer(terms=terms, document_frequencies=frequencies, statistics=statistics)
        scored = scorer.score_all(zip(ids, stored, strict=True))
        assert [scored[row] for row in ids] == pytest.approx(index.score_all(query).tolist(), rel=1e-5)
