"""Main text of an HTML page, without navigation, footers, scripts or styles."""

import trafilatura

from claims.extraction.errors import EmptyDocumentError


def html_to_text(html: str) -> str:
    """Return the page's main text, one paragraph per line.

    trafilatura drops boilerplate (menus, footers, cookie banners) and never returns script or
    style content. Raises `EmptyDocumentError` when no readable text remains, e.g. a page that is
    only scripts, so callers never store an empty article.
    """
    if not html.strip():
        raise EmptyDocumentError("the HTML document is empty")
    text = trafilatura.extract(
        html,
        include_comments=False,
        include_tables=False,
        include_images=False,
        include_formatting=False,
        favor_recall=True,
        deduplicate=False,
    )
    if not text or not text.strip():
        raise EmptyDocumentError("no readable text found in the HTML document")
    return text.strip()
