import pytest

from claims.similarity.passages import chunk_passages, split_sentence_spans

ARTICLE = (
    "Former U.S. President Donald J. Trump called for talks. Zelensky said he would wait in Turkey.\n\n"
    "“There is no point in prolonging the killings.” Putin proposed talks in Istanbul on May 11. "
    "Dr. Smith disagreed! Was it a bloodbath? Macron said so."
)


def test_it_splits_sentences_without_breaking_at_abbreviations_or_initials():
    sentences = [ARTICLE[start:end] for start, end in split_sentence_spans(ARTICLE)]

    assert sentences == [
        "Former U.S. President Donald J. Trump called for talks.",
        "Zelensky said he would wait in Turkey.",
        "“There is no point in prolonging the killings.”",
        "Putin proposed talks in Istanbul on May 11.",
        "Dr. Smith disagreed!",
        "Was it a bloodbath?",
        "Macron said so.",
    ]


def test_it_gives_offsets_that_point_at_the_passage_text():
    passages = chunk_passages(ARTICLE, max_words=15)

    assert passages
    for passage in passages:
        assert ARTICLE[passage.start : passage.end] == passage.text


def test_it_keeps_windows_under_the_word_limit_and_overlaps_them_by_a_sentence():
    passages = chunk_passages(ARTICLE, max_words=20, overlap_sentences=1)

    assert [passage.text for passage in passages] == [
        "Former U.S. President Donald J. Trump called for talks. Zelensky said he would wait in Turkey.",
        "Zelensky said he would wait in Turkey.\n\n“There is no point in prolonging the killings.”",
        "“There is no point in prolonging the killings.” Putin proposed talks in Istanbul on May 11. "
        "Dr. Smith disagreed!",
        "Dr. Smith disagreed! Was it a bloodbath? Macron said so.",
    ]
    assert all(len(passage.text.split()) <= 20 for passage in passages)


def test_it_moves_forward_when_a_window_holds_a_single_sentence():
    passages = chunk_passages(ARTICLE, max_words=9, overlap_sentences=1)

    assert [passage.start for passage in passages] == sorted({passage.start for passage in passages})


def test_it_covers_every_sentence():
    passages = chunk_passages(ARTICLE, max_words=15)

    for start, end in split_sentence_spans(ARTICLE):
        assert any(passage.start <= start and end <= passage.end for passage in passages)


def test_it_cuts_a_sentence_longer_than_the_limit_at_word_boundaries():
    text = " ".join(f"word{number}" for number in range(25))

    passages = chunk_passages(text, max_words=10, overlap_sentences=0)

    assert [len(passage.text.split()) for passage in passages] == [10, 10, 5]
    assert " ".join(passage.text for passage in passages) == text


def test_it_returns_one_passage_for_a_short_text_and_none_for_blank_text():
    assert [passage.text for passage in chunk_passages("  One claim.  ")] == ["One claim."]
    assert chunk_passages("   \n ") == []


def test_it_rejects_a_nonsensical_window():
    with pytest.raises(ValueError):
        chunk_passages(ARTICLE, max_words=0)
