"""Text preparation shared by every matching method: query cleaning and document text building.

Queries arrive as social-media posts or article sentences; the earlier verdicts they should match
are short normalised claims. Links, image references and the "— Name (@handle) Date" signature
that copied tweets carry say nothing about the claim itself and only add noise to both BM25 and
the embedding.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

URL_RE = re.compile(r"(?:https?://|www\.)\S+|\bpic\.twitter\.com/\S+", re.IGNORECASE)
# "— Ilhan Omar (@IlhanMN) January 6, 2020": the dash may be an em dash, en dash or hyphen and the
# year is sometimes cut to two digits in the source data.
TWEET_SIGNATURE_RE = re.compile(
    r"\s*[—–-]{1,2}\s*(?P<author>[^—–()\n]{0,80}?)\s*\(@(?P<handle>\w{1,20})\)\s*"
    r"(?P<date>[A-Z][a-z]+\.? \d{1,2}, \d{2,4})\s*$"
)
HANDLE_RE = re.compile(r"(?<![\w@])@(\w{1,20})")
HASHTAG_RE = re.compile(r"(?<![\w#])#(\w+)")
CAMEL_BOUNDARY_RE = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])|(?<=[A-Za-z])(?=\d)")
WHITESPACE_RE = re.compile(r"\s+")


@dataclass(frozen=True)
class TweetSignature:
    author: str
    handle: str
    date: str


def split_tweet_signature(text: str) -> tuple[str, TweetSignature | None]:
    """Separate a copied tweet's trailing signature from its body."""
    match = TWEET_SIGNATURE_RE.search(text)
    if match is None:
        return text, None
    signature = TweetSignature(
        author=match.group("author").strip(), handle=match.group("handle"), date=match.group("date")
    )
    return text[: match.start()], signature


def split_camel_case(word: str) -> str:
    """ "AustralianFires" -> "Australian Fires": hashtags and handles glue words together."""
    return CAMEL_BOUNDARY_RE.sub(" ", word)


def clean_query(text: str, *, keep_author: bool = True) -> str:
    """Reduce a post or sentence to the words that describe its claim.

    The author's display name is kept by default because verdicts often name the person who
    made the claim ("Ilhan Omar said ..."); the handle and date of the signature are dropped.
    """
    body, signature = split_tweet_signature(text)
    body = URL_RE.sub(" ", body)
    body = HASHTAG_RE.sub(lambda match: split_camel_case(match.group(1)), body)
    body = HANDLE_RE.sub(lambda match: split_camel_case(match.group(1)), body)
    if keep_author and signature is not None and signature.author:
        body = f"{body} — {signature.author}"
    cleaned = WHITESPACE_RE.sub(" ", body).strip()
    # A post that is nothing but a link still deserves a query; fall back to the raw text.
    return cleaned or WHITESPACE_RE.sub(" ", text).strip()


def build_document_text(*, claim: str, title: str | None = None) -> str:
    """The text a verdict is matched on: its headline and its normalised claim.

    Headlines restate the claim in the words people use when sharing it, so both carry signal;
    a headline that merely repeats the claim is not added twice.
    """
    claim = WHITESPACE_RE.sub(" ", claim or "").strip()
    title = WHITESPACE_RE.sub(" ", title or "").strip()
    if not title or title.casefold() == claim.casefold():
        return claim
    if not claim:
        return title
    return f"{title}. {claim}" if not title.endswith((".", "?", "!")) else f"{title} {claim}"
