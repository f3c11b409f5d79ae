import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from claims.extraction.sentences import split_sentences
from tests.growth import growth_ratio

SEED_ARTICLE = Path(__file__).resolve().parents[2] / "fixtures" / "seed_article.txt"
LIST_MARKER_AT_LINE_START = re.compile(r"(?m)^[ \t]*(?:[-*•·▪‣◦–—]|\d{1,3}[.)])(?=[ \t])")

news_alphabet = st.sampled_from(
    list("abcdeUSJRTIMrD.!?…,;:\"'“”‘’()[]-–—•*0123456789 \t\n")
    + ["Mr.", "U.S.", "Dr. ", "J. R. R. ", " said.", "\n\n", "\n- ", "\n1. ", "”", " The ", "..."]
)
news_like_text = st.lists(news_alphabet, max_size=120).map("".join)


def _texts(text: str) -> list[str]:
    return [span.text for span in split_sentences(text)]


@settings(max_examples=400, deadline=None)
@given(news_like_text)
def test_it_returns_spans_that_are_exact_stripped_slices_of_the_input(text: str) -> None:
    for span in split_sentences(text):
        assert 0 <= span.start < span.end <= len(text)
        assert text[span.start : span.end] == span.text
        assert span.text == span.text.strip()


@settings(max_examples=400, deadline=None)
@given(news_like_text)
def test_it_returns_ordered_non_overlapping_spans(text: str) -> None:
    spans = split_sentences(text)
    for earlier, later in zip(spans, spans[1:], strict=False):
        assert earlier.end <= later.start
        assert earlier.paragraph <= later.paragraph


@settings(max_examples=400, deadline=None)
@given(news_like_text)
def test_it_loses_nothing_but_whitespace_and_list_markers(text: str) -> None:
    covered = [False] * len(text)
    for span in split_sentences(text):
        covered[span.start : span.end] = [True] * (span.end - span.start)
    outside = "".join(character if not covered[index] else "\x00" for index, character in enumerate(text))
    leftover = LIST_MARKER_AT_LINE_START.sub("", outside.replace("\x00", "\x01"))
    assert leftover.replace("\x01", "").strip() == ""


def test_it_keeps_titles_initials_and_dotted_abbreviations_inside_sentences() -> None:
    text = "Former U.S. President Donald Trump met Dr. Smith and J. R. R. Tolkien's heirs. They talked."
    assert _texts(text) == [
        "Former U.S. President Donald Trump met Dr. Smith and J. R. R. Tolkien's heirs.",
        "They talked.",
    ]


def test_it_ends_a_sentence_after_a_dotted_abbreviation_when_a_new_sentence_clearly_starts() -> None:
    assert _texts("Prices rose in the U.S. The Fed acted on Jan. 6 at 2 p.m. The markets fell.") == [
        "Prices rose in the U.S.",
        "The Fed acted on Jan. 6 at 2 p.m.",
        "The markets fell.",
    ]


def test_it_keeps_a_closing_quote_with_the_sentence_it_closes() -> None:
    text = "“There is no point. I will wait,” Zelensky added. He said “no.” Then he left."
    assert _texts(text) == [
        "“There is no point.",
        "I will wait,” Zelensky added.",
        "He said “no.”",
        "Then he left.",
    ]


def test_it_keeps_an_attribution_after_a_quote_that_ends_with_a_full_stop() -> None:
    assert _texts("“We propose talks without preconditions.” Putin said. Kyiv refused.") == [
        "“We propose talks without preconditions.” Putin said.",
        "Kyiv refused.",
    ]


def test_it_does_not_split_before_a_lowercase_attribution() -> None:
    assert _texts("“Why now?” he asked. “Stop!” she shouted.") == ["“Why now?” he asked.", "“Stop!” she shouted."]


def test_it_never_joins_sentences_across_a_blank_line() -> None:
    spans = split_sentences("The vote was 52 to 48\n\nThe bill passed")
    assert [span.text for span in spans] == ["The vote was 52 to 48", "The bill passed"]
    assert [span.paragraph for span in spans] == [0, 1]


def test_it_splits_list_items_and_leaves_their_markers_out() -> None:
    text = "Key facts:\n- Inflation fell to 3%\n• Unemployment rose\n2) Wages grew 4%. Rents grew too."
    assert _texts(text) == [
        "Key facts:",
        "Inflation fell to 3%",
        "Unemployment rose",
        "Wages grew 4%.",
        "Rents grew too.",
    ]


def test_it_treats_a_short_unpunctuated_line_before_a_paragraph_as_a_heading() -> None:
    text = "Talks Resume in Istanbul\nRussia and Ukraine met on Friday for the first direct talks since 2022."
    assert _texts(text) == [
        "Talks Resume in Istanbul",
        "Russia and Ukraine met on Friday for the first direct talks since 2022.",
    ]


def test_it_joins_the_lines_of_a_hard_wrapped_paragraph() -> None:
    text = "The president said that the bill was going to pass\nCongress by the end of the week, aides said."
    assert _texts(text) == [text]


def test_it_splits_on_question_marks_exclamations_and_ellipses() -> None:
    assert _texts("Is it true? Yes! It grew... Then it fell.") == ["Is it true?", "Yes!", "It grew...", "Then it fell."]


def test_it_cuts_overlong_unpunctuated_runs_at_whitespace() -> None:
    text = " ".join(["word"] * 600)
    spans = split_sentences(text)
    assert len(spans) > 1
    assert all(len(span.text) <= 1000 for span in spans)
    assert " ".join(span.text for span in spans) == text


def test_it_splits_the_seed_article_into_its_sentences() -> None:
    text = SEED_ARTICLE.read_text(encoding="utf-8")
    sentences = _texts(text)
    assert len(sentences) == 23
    assert sentences[4] == "“There is no point in prolonging the killings."
    assert sentences[7].endswith("excuses,” Zelensky added.")
    assert sentences[-1].startswith("As tensions remain high")


def test_it_splits_a_two_megabyte_paragraph_in_linear_time() -> None:
    paragraph = "Dr. Smith said prices rose 5% in the U.S. The Fed acted. “We will act,” Powell said. "
    assert len(split_sentences(paragraph * 25_000)) == 75_000
    # Four times the text takes about four times as long; quadratic splitting would take sixteen.
    assert growth_ratio(lambda copies: split_sentences(paragraph * copies), size=3_000) < 8
