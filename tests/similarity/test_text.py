from claims.similarity.text import build_document_text, clean_query, split_tweet_signature


def test_it_strips_links_and_image_references_from_a_post():
    cleaned = clean_query("Look at this https://t.co/abc123 unbelievable pic.twitter.com/0eJtwJyS1J")

    assert cleaned == "Look at this unbelievable"


def test_it_keeps_the_author_of_a_copied_tweet_but_drops_handle_and_date():
    text = "Trump needs to divest from his businesses. — Ilhan Omar (@IlhanMN) January 6, 2020"

    assert clean_query(text) == "Trump needs to divest from his businesses. — Ilhan Omar"
    assert clean_query(text, keep_author=False) == "Trump needs to divest from his businesses."


def test_it_reads_the_signature_with_a_hyphen_and_a_two_digit_year():
    body, signature = split_tweet_signature("Find my birth certificate - Barack Obama (@BarackObama) October 04, 19")

    assert body == "Find my birth certificate"
    assert signature is not None
    assert (signature.author, signature.handle, signature.date) == ("Barack Obama", "BarackObama", "October 04, 19")


def test_it_splits_hashtags_and_handles_into_words():
    cleaned = clean_query("How are butterflies surviving the #AustralianFires? Thanks @CenterForBioDiv")

    assert cleaned == "How are butterflies surviving the Australian Fires? Thanks Center For Bio Div"


def test_it_falls_back_to_the_raw_text_when_a_post_is_only_a_link():
    assert clean_query("https://t.co/abc123") == "https://t.co/abc123"


def test_it_builds_document_text_from_headline_and_claim():
    text = build_document_text(claim="A video shows a 10-meter-long anaconda.", title="Does Video Show an Anaconda?")

    assert text == "Does Video Show an Anaconda? A video shows a 10-meter-long anaconda."


def test_it_does_not_repeat_a_headline_that_equals_the_claim():
    assert (
        build_document_text(claim="Vaccines cause autism.", title="vaccines cause autism.") == "Vaccines cause autism."
    )
    assert build_document_text(claim="Vaccines cause autism", title="") == "Vaccines cause autism"
    assert (
        build_document_text(claim="Vaccines cause autism", title="Autism Claim")
        == "Autism Claim. Vaccines cause autism"
    )
