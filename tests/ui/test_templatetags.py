"""Template helpers of the reviewer UI."""

from __future__ import annotations

from claims.templatetags.workbench import claim_type_labels, score, score_items, shorten


def test_it_shortens_long_text_with_an_ellipsis_and_leaves_short_text_alone():
    assert shorten("Unemployment fell.", 40) == "Unemployment fell."
    assert shorten("Unemployment fell by three percent", 16) == "Unemployment fe…"
    assert len(shorten("x" * 500, 180)) == 180
    assert shorten(None, 10) == ""


def test_it_names_claim_types_and_keeps_unknown_ones():
    assert claim_type_labels(["role", "quote"]) == "Role / title, Quote"
    assert claim_type_labels(["hearsay"]) == "hearsay"
    assert claim_type_labels(None) == ""


def test_it_shows_scores_with_fixed_precision():
    assert score(0.93) == "0.93"
    assert score(None) == "–"
    assert score_items({"dense": 0.7342, "bm25": 7.41234, "model": "minilm"}) == [
        ("bm25", "7.412"),
        ("dense", "0.734"),
        ("model", "minilm"),
    ]


def test_a_fixed_url_is_the_reversed_address_under_each_script_prefix():
    from django.urls import reverse, set_script_prefix

    from claims.templatetags.workbench import fixed_url

    assert fixed_url("claims:queue") == reverse("claims:queue") == "/"
    assert fixed_url("claims:take_next") == reverse("claims:take_next")
    try:
        set_script_prefix("/desk/")
        assert fixed_url("claims:queue") == "/desk/"
        assert fixed_url("claims:take_next") == reverse("claims:take_next")
    finally:
        set_script_prefix("/")
    assert fixed_url("claims:queue") == "/"
