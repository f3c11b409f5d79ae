import pytest

from claims.extraction.errors import EmptyDocumentError, ExtractionError
from claims.extraction.html import html_to_text, looks_like_html

ARTICLE_PAGE = """<html><head><title>Talks</title>
<script>var tracking = "SCRIPT-PAYLOAD";</script><style>p { color: red }</style></head>
<body><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav>
<article><h1>Talks resume in Istanbul</h1>
<p>Ukrainian President Volodymyr Zelensky has extended an offer to meet Russian President Vladimir Putin
face-to-face in Turkey on Thursday, May 15.</p>
<script>document.write("INLINE-SCRIPT")</script>
<p>Putin said he was ready. The talks broke off in 2022.</p></article>
<footer>Copyright 2025 Example News. All rights reserved. Cookie settings.</footer></body></html>"""


def test_it_keeps_the_article_text() -> None:
    text = html_to_text(ARTICLE_PAGE)
    assert "Zelensky has extended an offer" in text
    assert "The talks broke off in 2022." in text


def test_it_never_keeps_scripts_or_styles() -> None:
    text = html_to_text(ARTICLE_PAGE)
    assert "SCRIPT-PAYLOAD" not in text
    assert "INLINE-SCRIPT" not in text
    assert "color: red" not in text


def test_it_drops_navigation_and_footer_boilerplate() -> None:
    text = html_to_text(ARTICLE_PAGE)
    assert "All rights reserved" not in text
    assert "Sport" not in text


@pytest.mark.parametrize(
    "html",
    [
        "",
        "<html><head><script>var a = 1;</script></head><body><script>run()</script></body></html>",
        "<html><body><style>p {}</style></body></html>",
    ],
)
def test_it_raises_when_nothing_readable_remains(html: str) -> None:
    with pytest.raises(EmptyDocumentError):
        html_to_text(html)


def test_its_empty_document_error_is_an_extraction_error() -> None:
    assert issubclass(EmptyDocumentError, ExtractionError)


@pytest.mark.parametrize(
    "document",
    [
        "<!DOCTYPE html><html><body><p>Hi</p></body></html>",
        "\ufeff  <html lang='en'>",
        "<p>Unemployment fell.</p>",
        "<script>alert(1)</script><img src=x onerror=alert(1)>",
        "<!-- page --><div>Text</div>",
        b"<ARTICLE><H1>Title</H1></ARTICLE>",
    ],
)
def test_markup_is_recognised_as_html(document: str | bytes) -> None:
    assert looks_like_html(document)


@pytest.mark.parametrize(
    "document",
    [
        "Unemployment fell to 3.9 percent.",
        "<3 this story. Prices rose.",
        "<<< Breaking >>> The minister resigned.",
        "The vote was 5 < 6, officials said. <p> is a tag.",
    ],
)
def test_text_that_mentions_angle_brackets_stays_text(document: str) -> None:
    assert not looks_like_html(document)
