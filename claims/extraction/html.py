"""Main text of an HTML page, without navigation, footers, scripts or styles."""

import re

import trafilatura

from claims.extraction.errors import EmptyDocumentError

# A document that opens with one of these is markup, a page or a fragment ("<script>…" included,
# so that a paste of scripts alone is refused as a page with no text rather than stored as text).
_OPENING_TAG = re.compile(
    r"\s*<(?:!doctype\s+html|!--|(?:html|head|body|article|section|main|header|nav|div|p|span|a|img|"
    r"h[1-6]|ul|ol|li|table|blockquote|figure|br|script|style|meta|title|link|iframe|form|svg)\b)",
    re.IGNORECASE,
)


def looks_like_html(raw: str | bytes) -> bool:
    """Whether a document given without a declared type is HTML rather than plain text."""
    head = raw[:4096] if isinstance(raw, str) else raw[:4096].decode("utf-8", errors="replace")
    return bool(_OPENING_TAG.match(head.lstrip("\ufeff")))


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


def html_title(html: str) -> str:
    """The page's headline: its og:title, else its <title> without the site name trafilatura
    recognises ("Zelensky offers talks - Example Wire" -> "Zelensky offers talks"); "" when it has none."""
    metadata = trafilatura.extract_metadata(html)
    return " ".join((metadata.title or "").split()) if metadata is not None else ""
