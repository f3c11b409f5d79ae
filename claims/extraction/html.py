"""Main text of an HTML page, without navigation, footers, scripts or styles."""

import trafilatura

from claims.extraction.errors import EmptyDocumentError

HTML_MARKERS = ("<html", "<!doctype html", "<body", "<article", "<p>", "<div")


def looks_like_html(raw: str | bytes) -> bool:
    """Whether a document given without a declared type is an HTML page rather than plain text."""
    head = raw[:4096] if isinstance(raw, str) else raw[:4096].decode("utf-8", errors="replace")
    head = head.lstrip().lower()
    return head.startswith("<") and any(marker in head for marker in HTML_MARKERS)


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
