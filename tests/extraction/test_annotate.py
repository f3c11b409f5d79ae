import pytest

from claims.extraction.annotate import (
    classify_claim,
    clean_speaker_name,
    find_attribution,
    find_speaker,
    quotation_spans,
)
from claims.extraction.dates import find_dates
from tests.growth import growth_ratio


@pytest.mark.parametrize(
    ("sentence", "speaker"),
    [
        ("I hope the Russians will not look for excuses,” Zelensky added.", "Zelensky"),
        ("“Ukraine should agree to this, IMMEDIATELY,” Trump wrote, suggesting it would help.", "Trump"),
        ("“We propose to resume the talks without any preconditions,” Putin said.", "Putin"),
        ("“Stop the war,” said Putin.", "Putin"),
        ("Russian President Vladimir Putin said talks could resume in Istanbul.", "Vladimir Putin"),
        ("Zelensky’s chief of staff, Andriy Yermak, confirmed that Ukraine would negotiate.", "Andriy Yermak"),
        ("The talks will resume, according to Kremlin spokesman Dmitry Peskov.", "Dmitry Peskov"),
        ("But Macron has repeatedly warned that sanctions would follow.", "Macron"),
        ("Inflation fell to 3.2% in October, the Labor Department said on Tuesday.", "Labor Department"),
        ("The bill would raise taxes, according to the Congressional Budget Office.", "Congressional Budget Office"),
        ("The Pentagon said the strike killed 12 fighters.", "Pentagon"),
        ("According to the Labor Department, prices fell.", "Labor Department"),
    ],
)
def test_it_finds_the_speaker_of_quotes_and_reported_speech(sentence: str, speaker: str) -> None:
    assert find_speaker(sentence) == speaker


@pytest.mark.parametrize(
    "sentence",
    [
        "The U.S. Senate passed the bill.",
        "I said no to that.",
        "It said nothing.",
        "Putin’s proposal was rejected.",
        "Taxes will rise, the President said.",
        "Prices rose, according to the survey.",
    ],
)
def test_it_names_no_speaker_without_a_named_sayer(sentence: str) -> None:
    assert find_speaker(sentence) is None


def test_it_leaves_a_pronoun_speaker_to_the_context() -> None:
    sentence = "“We await a full and lasting ceasefire,” he wrote on X."
    attribution = find_attribution(sentence)
    assert attribution is not None and attribution.pronoun == "he" and attribution.speaker is None
    assert find_speaker(sentence, context_person="Zelensky") == "Zelensky"


@pytest.mark.parametrize(
    ("phrase", "name"),
    [
        ("Former U.S. President Donald Trump", "Donald Trump"),
        ("French President Emmanuel Macron", "Emmanuel Macron"),
        ("But Putin", "Putin"),
        ("The President", None),
    ],
)
def test_it_strips_titles_and_function_words_from_speaker_names(phrase: str, name: str | None) -> None:
    assert clean_speaker_name(phrase) == name


def test_it_finds_quotations_over_several_sentences_but_not_across_paragraphs() -> None:
    text = "“There is no point. I will wait,” Zelensky added.\n\n“Unclosed quote.\n\nNext “short” one."
    spans = [text[start:end] for start, end in quotation_spans(text)]
    assert spans == ["“There is no point. I will wait,”", "“short”"]


def _types(sentence: str, *, in_quotation: bool = False) -> list[str]:
    return classify_claim(sentence, dates=find_dates(sentence, published_at=None), in_quotation=in_quotation)


@pytest.mark.parametrize(
    ("sentence", "claim_type"),
    [
        ("The conflict has resulted in the deaths of tens of thousands of people.", "statistic"),
        ("Unemployment fell to 3.5% in March.", "statistic"),
        ("“We propose to resume the talks,” Putin said.", "quote"),
        ("Prices rose because of the tariffs.", "causal"),
        ("The economy will shrink next year.", "prediction"),
        ("The Supreme Court ruled that the ban was unconstitutional.", "law"),
        ("Former U.S. President Donald Trump called for talks.", "role"),
        ("Putin put forward a proposal on Sunday, May 11.", "event"),
        ("I hope you are well.", "other"),
    ],
)
def test_it_types_claims(sentence: str, claim_type: str) -> None:
    assert claim_type in _types(sentence)


def test_it_does_not_count_date_numbers_as_statistics() -> None:
    assert "statistic" not in _types("Talks stalled in March 2022 and resumed on May 15.")


def test_it_types_a_sentence_inside_a_longer_quotation_as_a_quote() -> None:
    assert _types("Personally.", in_quotation=True) == ["quote"]
    assert "quote" not in _types("He stressed the “necessity” of a ceasefire.")


def test_it_finds_quotations_quickly_despite_stray_opening_marks() -> None:
    stray = "“ unmatched opening mark and more words "
    assert quotation_spans(stray * 20_000) == []
    # Linear in the text: four times the text, about four times the time (a rescan per mark would be sixteen).
    assert growth_ratio(lambda copies: quotation_spans(stray * copies), size=2_000) < 8
