"""Property tests of the extraction functions on arbitrary input (any Unicode, any date), beyond the
news-like alphabet tests/extraction/test_sentences.py fuzzes sentence splitting with: nothing raises
except the typed extraction errors, every offset slices the text it points into, scores and
priorities stay in [0, 1], and stored fields fit their columns."""

from __future__ import annotations

import datetime
import re
import unicodedata

from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from claims.extraction.annotate import (
    CLAIM_TYPES,
    classify_claim,
    clean_speaker_name,
    find_attribution,
    quotation_spans,
)
from claims.extraction.dates import find_dates
from claims.extraction.errors import EmptyDocumentError, ExtractionError
from claims.extraction.html import html_to_text
from claims.extraction.pipeline import CLAIM_TYPE_WEIGHTS, extract_claims, priority
from claims.extraction.sentences import MAX_SENTENCE_CHARS, split_sentences
from claims.extraction.text import content_hash, decode_and_normalise

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SPEAKER_COLUMN_CHARS = 200  # Claim.speaker

# Everything Unicode has, surrogates included: the API and the command hand over whatever arrives.
any_text = st.text(st.characters(), max_size=300)
# Text that looks like news often enough to reach the patterns (quotes, titles, verbs of saying, dates).
news_words = st.sampled_from(
    [
        "President",
        "Former",
        "U.S.",
        "Donald",
        "Trump",
        "said",
        "told",
        "wrote",
        "according",
        "to",
        "“",
        "”",
        '"',
        "he",
        "she",
        "on",
        "Friday,",
        "May",
        "15",
        "2025",
        "yesterday",
        "3.9",
        "percent",
        "because",
        "will",
        "law",
        "minister",
        "Mr.",
        "Dr.",
        ".",
        ",",
        "!",
        "?",
        "\n",
        "\n\n",
        "—",
        "1",
        "Jane",
        "Doe",
        "ÉLYSÉE",
        "İstanbul",
        "日本",
        "🙂",
        "\u00a0",
        "\t",
        "(",
        ")",
        "'",
        "-",
        "31",
        "02",
    ]
)
news_text = st.lists(st.one_of(news_words, any_text.map(lambda text: text[:12])), max_size=80).map(" ".join)
any_date = st.dates(min_value=datetime.date.min, max_value=datetime.date.max)


def normalised(text: str) -> str | None:
    try:
        return decode_and_normalise(text, max_bytes=1_000_000)
    except ExtractionError:
        return None


@FAST
@given(any_text)
@example("\ufeff\r\n\u2028\u2029 ")
@example("a\u0000b")
@example("\ud800")
def test_normalising_any_text_gives_clean_text_or_a_typed_error(text: str) -> None:
    body = normalised(text)
    if body is None:
        return
    assert body and body == body.strip()
    assert "\r" not in body and "\x00" not in body and "\u2028" not in body
    assert unicodedata.is_normalized("NFC", body)
    assert normalised(body) == body


@FAST
@given(st.binary(max_size=300))
@example(b"\xef\xbb\xbf")
@example(b"\xed\xa0\x80")  # an encoded surrogate: not UTF-8
def test_normalising_any_bytes_gives_text_or_a_typed_error(raw: bytes) -> None:
    try:
        body = decode_and_normalise(raw, max_bytes=1_000_000)
    except ExtractionError:
        return
    assert body == decode_and_normalise(raw.decode("utf-8-sig"), max_bytes=1_000_000)


@FAST
@given(news_text)
def test_the_content_hash_ignores_how_the_text_is_wrapped(text: str) -> None:
    body = normalised(text)
    assume(body is not None)
    assert content_hash(body) == content_hash(re.sub(r" ", "\n  ", body))


@FAST
@given(any_text)
def test_sentence_offsets_slice_any_normalised_text_exactly(text: str) -> None:
    body = normalised(text)
    assume(body is not None)
    previous_end = 0
    for span in split_sentences(body):
        assert previous_end <= span.start < span.end <= len(body)
        assert body[span.start : span.end] == span.text
        assert len(span.text) <= MAX_SENTENCE_CHARS
        previous_end = span.end


@FAST
@given(news_text, st.none() | any_date)
@example("He left yesterday and returns tomorrow.", datetime.date.min)
@example("He left yesterday and returns tomorrow.", datetime.date.max)
@example("It happened on Friday, May 15 and on 29 February.", datetime.date(9999, 12, 31))
@example("It happened on May 15 and on 29 February.", datetime.date(1, 1, 1))
def test_date_mentions_slice_the_sentence_and_resolve_to_real_dates(sentence: str, published_at) -> None:
    previous_end = 0
    for mention in find_dates(sentence, published_at=published_at):
        assert previous_end <= mention.start < mention.end <= len(sentence)
        assert sentence[mention.start : mention.end] == mention.text
        previous_end = mention.end
        if mention.value is not None:
            if len(mention.value) == 10:
                datetime.date.fromisoformat(mention.value)
            else:
                assert re.fullmatch(r"\d{4}(-(0[1-9]|1[0-2]))?", mention.value), mention.value


@FAST
@given(news_text)
@example("“Prices rose,” " + "Q" + "x" * 300 + " said.")
@example("According to " + " ".join(["Abcdefghijklmnopqrstuvwxyz"] * 6) + ", prices rose.")
def test_speakers_come_from_the_sentence_and_fit_their_column(sentence: str) -> None:
    attribution = find_attribution(sentence)
    if attribution is None or attribution.speaker is None:
        return
    speaker = attribution.speaker
    assert speaker and len(speaker) <= SPEAKER_COLUMN_CHARS
    for token in speaker.split():
        assert token in sentence


@FAST
@given(any_text)
def test_cleaning_a_speaker_name_keeps_only_words_of_the_phrase(phrase: str) -> None:
    name = clean_speaker_name(phrase)
    if name is not None:
        assert name and all(token in phrase for token in name.split())


@FAST
@given(news_text)
def test_quotation_spans_run_from_an_opening_to_a_closing_mark(text: str) -> None:
    for start, end in quotation_spans(text):
        assert 0 <= start < end <= len(text)
        assert text[start] in '“"' and text[end - 1] in '”"'


@FAST
@given(news_text, st.booleans())
def test_claim_types_are_known_and_never_empty(sentence: str, in_quotation: bool) -> None:
    types = classify_claim(sentence, dates=find_dates(sentence, published_at=None), in_quotation=in_quotation)
    assert types and set(types) <= set(CLAIM_TYPES)
    assert types == sorted(types, key=CLAIM_TYPES.index)


@FAST
@given(
    st.floats(min_value=0.0, max_value=1.0),
    st.lists(st.sampled_from(sorted(CLAIM_TYPE_WEIGHTS)), max_size=8),
    st.none() | any_date,
    any_date,
)
def test_priority_stays_between_zero_and_one(checkworthiness, claim_types, published_at, today) -> None:
    value = priority(checkworthiness=checkworthiness, claim_types=claim_types, published_at=published_at, today=today)
    assert 0.0 <= value <= 1.0


@SLOW
@given(st.lists(st.text(st.characters(), max_size=40) | news_words, max_size=40).map(" ".join))
@example("<html><body><p>x</p></body></html>")
@example("<script>" * 50)
def test_html_to_text_returns_text_or_says_it_found_none(html: str) -> None:
    try:
        text = html_to_text(html)
    except EmptyDocumentError:
        return
    assert text and text == text.strip()


@SLOW
@given(st.lists(news_text, min_size=1, max_size=4), st.text(st.characters(categories=["L", "N"]), min_size=1))
def test_html_to_text_never_returns_script_content(paragraphs: list[str], secret: str) -> None:
    marker = f"SCRIPTMARKER{secret}"
    body = "".join(f"<p>{paragraph.replace('<', ' ')}</p>" for paragraph in paragraphs)
    html = (
        f"<html><head><script>var a = '{marker}';</script></head>"
        f"<body><article>{body}<script>{marker}()</script></article></body></html>"
    )
    try:
        text = html_to_text(html)
    except EmptyDocumentError:
        return
    assert "SCRIPTMARKER" not in text


@SLOW
@given(news_text, st.none() | any_date)
@example("Former U.S. President Donald Trump said on Friday, May 15, that prices rose 3 percent.", datetime.date.min)
@example("“" + "Word " * 400 + "” he said yesterday.", datetime.date.max)
@example(
    "Minister " + " ".join(["Jean-" + "Baptiste" * 30] * 3) + " met reporters. “Prices rose 3 percent,” he said.", None
)
def test_the_whole_pipeline_keeps_offsets_scores_and_columns_sound(text: str, published_at) -> None:
    body = normalised(text)
    assume(body is not None)
    claims = extract_claims(text=body, published_at=published_at, today=datetime.date(2025, 5, 12))
    for claim in claims:
        assert body[claim.start : claim.end] == claim.text
        assert 0.0 <= claim.checkworthiness <= 1.0
        assert 0.0 <= claim.priority <= 1.0
        assert claim.claim_types and set(claim.claim_types) <= set(CLAIM_TYPES)
        assert claim.speaker is None or 0 < len(claim.speaker) <= SPEAKER_COLUMN_CHARS
        for mention in [*claim.entities, *claim.dates]:
            assert claim.start <= mention["start"] < mention["end"] <= claim.end
            assert body[mention["start"] : mention["end"]] == mention["text"]
