"""Typed errors raised while turning a document into text and claims.

Callers (ingest services, the API) map these to user-facing messages, so each one says what
was wrong with the input rather than where the code failed.
"""


class ExtractionError(Exception):
    """Base class: the document could not be turned into claim candidates."""


class EmptyDocumentError(ExtractionError):
    """Nothing readable remained after decoding and cleaning."""


class DocumentTooLargeError(ExtractionError):
    """The document is larger than the configured limit."""


class UndecodableDocumentError(ExtractionError):
    """The bytes are not UTF-8 text (binary data, another encoding, NUL bytes)."""


class UnsafeUrlError(ExtractionError):
    """The URL's scheme or resolved address is not allowed (loopback, private, metadata...)."""


class FetchError(ExtractionError):
    """The URL could not be retrieved (network error, HTTP error, unsupported content type)."""
