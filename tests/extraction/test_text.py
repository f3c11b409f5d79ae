import pytest

from claims.extraction.errors import DocumentTooLargeError, EmptyDocumentError, UndecodableDocumentError
from claims.extraction.text import content_hash, decode_and_normalise


def test_it_decodes_utf8_normalises_newlines_and_strips() -> None:
    raw = "\ufeff  Zelensky\r\nsaid\rthis.\n\n".encode()
    assert decode_and_normalise(raw, max_bytes=1000) == "Zelensky\nsaid\nthis."


def test_it_composes_characters_to_nfc() -> None:
    decomposed = "Turkiye\u0308 cafe\u0301"
    assert decode_and_normalise(decomposed, max_bytes=1000) == "Turkiyë café"


def test_it_refuses_text_in_another_encoding_with_a_clear_message() -> None:
    with pytest.raises(UndecodableDocumentError, match="not valid UTF-8"):
        decode_and_normalise("Señor Zelensky".encode("latin-1"), max_bytes=1000)


@pytest.mark.parametrize("raw", [b"PK\x03\x04\x00\x00binary", "text\x00with nul"])
def test_it_refuses_nul_bytes(raw: bytes | str) -> None:
    with pytest.raises(UndecodableDocumentError, match="NUL"):
        decode_and_normalise(raw, max_bytes=1000)


@pytest.mark.parametrize("raw", [b"", b" \n\t\r\n ", "   "])
def test_it_refuses_an_empty_document(raw: bytes | str) -> None:
    with pytest.raises(EmptyDocumentError):
        decode_and_normalise(raw, max_bytes=1000)


@pytest.mark.parametrize("raw", [b"x" * 11, "é" * 6])
def test_it_refuses_a_document_over_the_byte_limit(raw: bytes | str) -> None:
    with pytest.raises(DocumentTooLargeError):
        decode_and_normalise(raw, max_bytes=10)


def test_it_accepts_a_document_exactly_at_the_byte_limit() -> None:
    assert decode_and_normalise(b"x" * 10, max_bytes=10) == "x" * 10


def test_it_hashes_rewrapped_copies_of_a_text_alike() -> None:
    assert content_hash("Putin said\nthis.  Then\tleft.") == content_hash("Putin said this. Then left.\n")
    assert len(content_hash("Putin said this.")) == 64


def test_it_hashes_different_texts_differently() -> None:
    assert content_hash("Putin said this.") != content_hash("Putin said that.")


@pytest.mark.parametrize(
    "invisible",
    ["\u200b" * 10, "\ufeff\u200c\u200d\u2060", "\u3164 \u115f\u1160\uffa0", "\u00ad\u2800\u180e", "\u0301\u20dd"],
)
def test_text_made_only_of_invisible_characters_is_empty(invisible):
    with pytest.raises(EmptyDocumentError, match="invisible"):
        decode_and_normalise(invisible, max_bytes=10_000)


def test_a_zero_width_character_inside_visible_text_is_kept():
    assert decode_and_normalise("Prices\u200brose.", max_bytes=10_000) == "Prices\u200brose."
