"""Decoding and normalising raw document text before sentence splitting.

Offsets of claims point into the normalised text, so every ingest path (file, HTML, URL, API) must
go through `decode_and_normalise` once and store its result as the article body.
"""

import hashlib
import re
import unicodedata

from claims.extraction.errors import DocumentTooLargeError, EmptyDocumentError, UndecodableDocumentError

# A lone UTF-16 half, which no UTF-8 text can hold (searched by the regex engine: a loop over the
# characters in Python takes a third of a second on an article at the ingest limit).
SURROGATE_RE = re.compile("[\ud800-\udfff]")


def decode_and_normalise(raw: bytes | str, *, max_bytes: int) -> str:
    """Return NFC text with "\\n" newlines and no surrounding whitespace.

    Bytes must be strict UTF-8 (a leading byte-order mark is dropped); anything else is refused
    rather than guessed, because a wrong guess silently corrupts names and quotes in claims.
    The size limit applies to the UTF-8 encoded input.
    """
    if isinstance(raw, str):
        size = len(raw.encode("utf-8", errors="surrogatepass"))
        if size > max_bytes:
            raise DocumentTooLargeError(f"document is {size} bytes; the limit is {max_bytes}")
        text = raw
    else:
        if len(raw) > max_bytes:
            raise DocumentTooLargeError(f"document is {len(raw)} bytes; the limit is {max_bytes}")
        if b"\x00" in raw:
            raise UndecodableDocumentError("document contains NUL bytes; it looks like binary data")
        try:
            text = raw.decode("utf-8-sig", errors="strict")
        except UnicodeDecodeError as error:
            raise UndecodableDocumentError(
                f"document is not valid UTF-8 (byte {error.start}: {raw[error.start : error.start + 1]!r});"
                " convert it to UTF-8 first"
            ) from error
    if "\x00" in text:
        raise UndecodableDocumentError("document contains NUL characters; it looks like binary data")
    if SURROGATE_RE.search(text):
        raise UndecodableDocumentError("document contains unpaired surrogate characters")
    text = text.lstrip("\ufeff")
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n\n")
    text = unicodedata.normalize("NFC", text).strip()
    if not text:
        raise EmptyDocumentError("document is empty")
    if not any(is_visible(character) for character in text):
        raise EmptyDocumentError("document is empty: it has only invisible characters (zero-width, format or filler)")
    return text


# Letters that render as blank space although Unicode files them as letters or symbols.
_BLANK_LOOKING = frozenset("\u115f\u1160\u3164\uffa0\u2800\u180e")
# Format (zero-width space, joiners, BOM, bidi controls), controls, separators, and combining marks,
# which show nothing without a letter to sit on.
_INVISIBLE_CATEGORIES = frozenset({"Cf", "Cc", "Cs", "Co", "Cn", "Zs", "Zl", "Zp", "Mn", "Me"})


def is_visible(character: str) -> bool:
    return character not in _BLANK_LOOKING and unicodedata.category(character) not in _INVISIBLE_CATEGORIES


def content_hash(text: str) -> str:
    """SHA-256 hex digest of the text with whitespace runs collapsed.

    Re-wrapped or re-indented copies of the same article hash alike, so ingest can deduplicate them.
    """
    # str.split() splits on exactly the characters \s matches, in C and without a regex's overhead.
    canonical = " ".join(unicodedata.normalize("NFC", text).split())
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


_QUOTE_MARKS = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": "'", "’": "'", "‚": "'", "`": "'"})
_SPACES = re.compile(r"\s+")


def claim_key(text: str) -> str:
    """What makes two sentences the same claim when repeated word for word: the text with quotation
    marks, case and whitespace made uniform (wire copy re-typeset by each outlet), as a hash."""
    normalised = unicodedata.normalize("NFKC", text).translate(_QUOTE_MARKS).casefold()
    normalised = _SPACES.sub(" ", normalised).strip().strip("\"' ")
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()
