"""Language detection at ingest, and what the English-only check-worthiness model does not read."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from claims.choices import ClaimStatus
from claims.extraction.language_neutral import FALLBACK_METHOD, MODEL_METHOD, language_neutral_score
from claims.language import UNDETERMINED, detect_language
from claims.services.articles import article_ingest

RUSSIAN_ARTICLE = (
    "Министр финансов заявил в среду, что инфляция в стране снизилась до 4,5 процента. "
    "По данным Росстата, безработица в октябре составила 2,9 процента, это исторический минимум. "
    "Погода в Москве была солнечной."
)
ENGLISH_ARTICLE = (
    "The unemployment rate fell to 3.9 percent in March, the statistics office said on Friday. "
    "Prime Minister Jane Doe said the government would cut taxes by 2 percent next year."
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Former U.S. President Donald Trump met the King on Thursday.", "en"),
        ("El gobierno dijo que la inflación bajó al 3% en marzo.", "es"),
        ("Президент России заявил, что безработица снизилась.", "ru"),
        ("Україна отримала нові кредити від МВФ.", "uk"),
        ("Народното събрание прие бюджета за следващата година.", "bg"),
        ("Der Bundestag hat das Gesetz am Donnerstag beschlossen.", "de"),
        ("كورونا ليست مؤامرة", "ar"),
        ("经济增长了百分之五", "zh"),
    ],
)
def test_the_language_of_a_sentence_is_detected(text, expected):
    assert detect_language(text).language == expected


@pytest.mark.parametrize("text", ["hello", "Trump said Merkel", "Hola amigos", "42 %", "https://t.co/x @user", ""])
def test_a_text_too_short_or_without_words_to_tell_is_undetermined(text):
    assert detect_language(text).language == UNDETERMINED


def test_a_mixed_text_gets_the_language_most_of_it_is_in():
    mostly_spanish = 'El ministro dijo "fake news" y negó que la economía hubiera caído un 3% este año.'
    mostly_english = (
        'The minister called the report "noticias falsas" and denied that the economy shrank by 3% this year.'
    )

    assert detect_language(mostly_spanish).language == "es"
    assert detect_language(mostly_english).language == "en"


def test_the_language_neutral_fallback_ranks_numbers_and_names_above_weather():
    statistic = "По данным Росстата, безработица в октябре составила 2,9 процента, это исторический минимум."
    weather = "Погода в Москве была солнечной и тёплой весь день."

    assert language_neutral_score(statistic, claim_types=["statistic"]) > language_neutral_score(weather)
    assert language_neutral_score(statistic, claim_types=["statistic"]) <= 0.6


@pytest.mark.django_db
def test_a_russian_article_keeps_its_sentences_as_candidates_ranked_by_the_fallback(client, reviewer):
    article = article_ingest(text=RUSSIAN_ARTICLE, title="Экономика", published_at=dt.date(2025, 11, 5)).article

    assert article.language == "ru"
    claims = list(article.claims.order_by("start"))
    assert len(claims) == 3
    assert {claim.language for claim in claims} == {"ru"}
    assert {claim.checkworthiness_method for claim in claims} == {FALLBACK_METHOD}
    assert {claim.status for claim in claims} == {ClaimStatus.CANDIDATE}
    statistic, unemployment, weather = claims
    assert min(statistic.checkworthiness, unemployment.checkworthiness) > weather.checkworthiness

    client.force_login(reviewer)
    page = client.get(reverse("claims:article", args=[article.pk])).content.decode()
    assert "The check-worthiness model reads English only" in page
    body = client.get(f"/api/v1/articles/{article.pk}/").json()
    assert "reads English only" in body["checkworthiness_note"]
    assert {claim["checkworthiness_method"] for claim in body["claims"]} == {FALLBACK_METHOD}


@pytest.mark.django_db
def test_an_english_article_is_scored_by_the_model_and_says_nothing_about_languages(client, reviewer):
    article = article_ingest(text=ENGLISH_ARTICLE, published_at=dt.date(2025, 4, 4)).article

    assert article.language == "en"
    assert {claim.checkworthiness_method for claim in article.claims.all()} == {MODEL_METHOD}
    client.force_login(reviewer)
    assert client.get(f"/api/v1/articles/{article.pk}/").json()["checkworthiness_note"] is None
