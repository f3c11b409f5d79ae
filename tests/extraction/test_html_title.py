"""An HTML article takes its headline from og:title, else from <title> without the site's name."""

from __future__ import annotations

from claims.extraction.html import html_title
from claims.services.articles import article_ingest

BODY = "<p>Zelensky said on Sunday he would wait for Putin in Turkey on Thursday, May 15.</p>" * 3


def test_og_title_comes_first():
    head = '<title>Site | Other</title><meta property="og:title" content="Zelensky offers talks">'
    page = f"<html><head>{head}</head><body>{BODY}</body></html>"
    assert html_title(page) == "Zelensky offers talks"


def test_the_title_element_without_the_site_name():
    page = f"<html><head><title>Zelensky offers talks - Example Wire</title></head><body>{BODY}</body></html>"
    assert html_title(page) == "Zelensky offers talks"


def test_no_title_is_an_empty_string():
    assert html_title(f"<html><body>{BODY}</body></html>") == ""


def test_an_html_article_ingested_without_a_title_takes_the_pages(db):
    head = "<title>Zelensky offers talks - Example Wire</title>"
    page = f"<html><head>{head}</head><body><article>{BODY}</article></body></html>"
    assert article_ingest(html=page).article.title == "Zelensky offers talks"
    other = page.replace("Sunday", "Monday")
    assert article_ingest(html=other, title="Given title").article.title == "Given title"
