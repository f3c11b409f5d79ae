"""A corpus of hostile and broken requests, kept as data: what is sent, who sends it, and what must
come back. Paths may name ``{claim}``, ``{article}``, ``{source}`` and ``{evidence}``: rows the test
creates. Every case expects a 4xx with the API's one error body, and a message containing ``says``."""

from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import dataclass, field

MB = 1024 * 1024


@dataclass(frozen=True)
class HostileRequest:
    name: str
    category: str
    method: str
    path: str
    body: bytes | None = None
    content_type: str | None = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    # "write": a write token; "read": a read token; "none": no credentials; otherwise the raw
    # Authorization header to send.
    auth: str = "write"
    status: tuple[int, int] = (400, 400)
    says: str = ""


def as_json(value: object) -> bytes:
    return json.dumps(value).encode()


def cursor(payload: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


ARTICLES = "/api/v1/articles/"
CLAIMS = "/api/v1/claims/"
SOURCES = "/api/v1/sources/"
OK_TEXT = "The minister said unemployment fell by 3 percent in 2024."


def _ingest(name: str, category: str, payload: object, *, status=(400, 400), says: str = "") -> HostileRequest:
    return HostileRequest(name, category, "POST", ARTICLES, as_json(payload), status=status, says=says)


def _fetch(name: str, url: str, says: str = "") -> HostileRequest:
    return _ingest(name, "url", {"url": url, "fetch": True}, says=says)


MALFORMED_JSON = [
    HostileRequest("truncated object", "json", "POST", ARTICLES, b'{"text": "abc"', says="JSON parse error"),
    HostileRequest("single quotes", "json", "POST", ARTICLES, b"{'text': 'abc'}", says="JSON parse error"),
    HostileRequest("trailing comma", "json", "POST", ARTICLES, b'{"text": "abc",}', says="JSON parse error"),
    HostileRequest("bare NaN", "json", "POST", ARTICLES, b"NaN", says="JSON parse error"),
    HostileRequest("Infinity value", "json", "POST", ARTICLES, b'{"text": Infinity}', says="JSON parse error"),
    HostileRequest("invalid UTF-8 bytes", "json", "POST", ARTICLES, b'\xff\xfe{"text": "a"}', says="JSON parse error"),
    HostileRequest("invalid UTF-8 in a string", "json", "POST", ARTICLES, b'{"text": "caf\xe9"}', says="parse error"),
    HostileRequest("byte-order mark", "json", "POST", ARTICLES, b'\xef\xbb\xbf{"text": "a"}', says="parse error"),
    HostileRequest("10,000 nested lists", "json", "POST", ARTICLES, b"[" * 10_000 + b"]" * 10_000, says="nested"),
    HostileRequest(
        "10,000 nested objects", "json", "POST", ARTICLES, b'{"a":' * 10_000 + b"1" + b"}" * 10_000, says="nested"
    ),
    HostileRequest("unclosed deep nesting", "json", "POST", ARTICLES, b"[" * 100_000, says="nested"),
    HostileRequest(
        "5,000-digit number", "json", "POST", ARTICLES, b'{"text": ' + b"9" * 5000 + b"}", says="parse error"
    ),
    HostileRequest("empty body", "json", "POST", ARTICLES, b"", says="Give the article"),
    HostileRequest("only whitespace", "json", "POST", ARTICLES, b"  \n ", says="parse error"),
]

WRONG_TYPES = [
    _ingest("body is a list", "types", [{"text": OK_TEXT}], says="Expected a dictionary"),
    _ingest("body is null", "types", None, says="No data provided"),
    _ingest("body is a string", "types", "text", says="Expected a dictionary"),
    _ingest("body is a number", "types", 42, says="Expected a dictionary"),
    _ingest("text is a number", "types", {"text": 12345}, says="Not a valid string"),
    _ingest("text is a float", "types", {"text": 1.5e300}, says="Not a valid string"),
    _ingest("text is a boolean", "types", {"text": True}, says="Not a valid string"),
    _ingest("text is a list", "types", {"text": [OK_TEXT]}, says="Not a valid string"),
    _ingest("text is an object", "types", {"text": {"body": OK_TEXT}}, says="Not a valid string"),
    _ingest("text is null", "types", {"text": None}, says="may not be null"),
    _ingest("title is a number", "types", {"text": OK_TEXT, "title": 7}, says="Not a valid string"),
    _ingest(
        "every field null",
        "types",
        {k: None for k in ("text", "html", "url", "fetch", "title", "outlet", "author", "language")},
        says="may not be null",
    ),
    _ingest(
        "fetch is a word", "types", {"url": "https://news.example.org/a", "fetch": "perhaps"}, says="valid boolean"
    ),
    _ingest("published_at is a number", "types", {"text": OK_TEXT, "published_at": 20250512}, says="date"),
    _ingest("published_at is 30 February", "types", {"text": OK_TEXT, "published_at": "2025-02-30"}, says="date"),
    _ingest("published_at in year 99999", "types", {"text": OK_TEXT, "published_at": "99999-01-01"}, says="date"),
    _ingest("published_at in year 9999", "types", {"text": OK_TEXT, "published_at": "9999-12-31"}, says="published_at"),
    _ingest("published_at in year 1", "types", {"text": OK_TEXT, "published_at": "0001-01-01"}, says="published_at"),
    _ingest(
        "published_at a month ahead",
        "types",
        {"text": OK_TEXT, "published_at": (dt.date.today() + dt.timedelta(days=31)).isoformat()},
        says="published_at",
    ),
    _ingest("only zero-width characters", "types", {"text": "\u200b\u200c\u200d\u2060\ufeff" * 50}, says="invisible"),
    _ingest(
        "only Hangul fillers and a soft hyphen", "types", {"text": "\u3164\u115f\u00ad \u2800" * 20}, says="invisible"
    ),
    HostileRequest(
        "evidence source is a string",
        "types",
        "POST",
        CLAIMS + "{claim}/evidence/",
        as_json({"source": "one", "stance": "refutes"}),
        says="valid integer",
    ),
    HostileRequest(
        "evidence source is huge",
        "types",
        "POST",
        CLAIMS + "{claim}/evidence/",
        as_json({"source": 10**30, "stance": "refutes"}),
        says="less than or equal",
    ),
    HostileRequest(
        "evidence stance unknown",
        "types",
        "POST",
        CLAIMS + "{claim}/evidence/",
        as_json({"source": 1, "stance": "'; DROP TABLE claims_claim; --"}),
        says="not a valid choice",
    ),
    HostileRequest(
        "expected_version negative",
        "types",
        "POST",
        CLAIMS + "{claim}/dismiss/",
        as_json({"expected_version": -1}),
        says="greater than or equal",
    ),
    HostileRequest(
        "expected_version a float",
        "types",
        "POST",
        CLAIMS + "{claim}/dismiss/",
        as_json({"expected_version": 1.5}),
        says="valid integer",
    ),
    HostileRequest(
        "import rows null", "types", "POST", SOURCES + "import/", as_json({"sources": [None]}), says="Invalid input"
    ),
    HostileRequest(
        "import rows a string", "types", "POST", SOURCES + "import/", as_json({"sources": "many"}), says="Invalid input"
    ),
]

MISSING_FIELDS = [
    _ingest("nothing to ingest", "missing", {}, says="Give the article"),
    _ingest("url without fetch", "missing", {"url": "https://news.example.org/a"}, says="Give the article"),
    _ingest("blank text", "missing", {"text": ""}, says="may not be blank"),
    _ingest("whitespace text", "missing", {"text": " \n\t "}, says="empty"),
    _ingest("html with only a script", "missing", {"html": "<script>alert(1)</script>"}, says="no readable text"),
    HostileRequest(
        "evidence without stance",
        "missing",
        "POST",
        CLAIMS + "{claim}/evidence/",
        as_json({"source": 1}),
        says="required",
    ),
    HostileRequest(
        "verdict without rating",
        "missing",
        "PUT",
        CLAIMS + "{claim}/verdict/",
        as_json({"explanation": "x"}),
        says="required",
    ),
    HostileRequest(
        "send-back without comment",
        "missing",
        "POST",
        CLAIMS + "{claim}/verdict/send-back/",
        as_json({}),
        says="required",
    ),
    HostileRequest(
        "source without title",
        "missing",
        "POST",
        SOURCES,
        as_json({"url": "https://stats.example.org/a"}),
        says="required",
    ),
    HostileRequest(
        "empty import", "missing", "POST", SOURCES + "import/", as_json({"sources": []}), says="may not be empty"
    ),
]

SIZE = [
    _ingest("10 MB paste", "size", {"text": "Word " * (2 * MB)}, status=(413, 413), says="larger than the limit"),
    _ingest("3 MB text over the ingest cap", "size", {"text": "Word " * (600 * 1024)}, status=(413, 413), says="limit"),
    _ingest(
        "3 MB of HTML over the cap",
        "size",
        {"html": "<p>" + "Word " * (600 * 1024) + "</p>"},
        status=(413, 413),
        says="limit",
    ),
    HostileRequest(
        "declared length over the limit",
        "size",
        "POST",
        ARTICLES,
        b"{}",
        headers={"CONTENT_LENGTH": str(50 * MB)},
        status=(413, 413),
        says="larger than the limit",
    ),
    _ingest("title of 501 characters", "size", {"text": OK_TEXT, "title": "t" * 501}, says="no more than 500"),
    _ingest("outlet of 201 characters", "size", {"text": OK_TEXT, "outlet": "o" * 201}, says="no more than 200"),
    _ingest("author of 301 characters", "size", {"text": OK_TEXT, "author": "a" * 301}, says="no more than 300"),
    _ingest("language of 17 characters", "size", {"text": OK_TEXT, "language": "l" * 17}, says="no more than 16"),
    _ingest(
        "url of 2,001 characters",
        "size",
        {"text": OK_TEXT, "url": "https://news.example.org/" + "p" * 1980},
        says="no more than 2000",
    ),
    HostileRequest(
        "search of 201 characters", "size", "GET", CLAIMS + "?q=" + "q" * 201, None, None, says="at most 200"
    ),
    HostileRequest(
        "speaker of 201 characters",
        "size",
        "GET",
        CLAIMS + "?speaker=" + "s" * 201,
        None,
        None,
        says="at most 200",
    ),
    HostileRequest(
        "explanation of a megabyte",
        "size",
        "PUT",
        CLAIMS + "{claim}/verdict/",
        as_json({"rating": 1, "explanation": "e" * MB}),
        says="limited to",
    ),
    HostileRequest(
        "evidence note of a megabyte",
        "size",
        "POST",
        CLAIMS + "{claim}/evidence/",
        as_json({"source": 1, "stance": "refutes", "note": "n" * MB}),
        says="limited to",
    ),
    HostileRequest(
        "source title of 501 characters",
        "size",
        "POST",
        SOURCES,
        as_json({"url": "https://stats.example.org/b", "title": "t" * 501}),
        says="no more than 500",
    ),
    HostileRequest(
        "import of 1,001 rows",
        "size",
        "POST",
        SOURCES + "import/",
        as_json({"sources": [{"url": f"https://s.example.org/{n}", "title": "t"} for n in range(1001)]}),
        says="no more than 1000",
    ),
]

BAD_CHARACTERS = [
    _ingest("NUL in the text", "characters", {"text": "abc\u0000def " + OK_TEXT}, says="Null characters"),
    _ingest("NUL in the title", "characters", {"text": OK_TEXT, "title": "a\u0000b"}, says="Null characters"),
    _ingest("lone surrogate in the text", "characters", {"text": "abc \ud800 " + OK_TEXT}, says="Surrogate"),
    _ingest("lone surrogate in the author", "characters", {"text": OK_TEXT, "author": "\udfff"}, says="Surrogate"),
]

IDS_AND_PATHS = [
    HostileRequest(
        "path traversal in a claim id",
        "ids",
        "GET",
        CLAIMS + "../../etc/passwd",
        None,
        None,
        status=(404, 404),
        says="No API endpoint",
    ),
    HostileRequest(
        "encoded traversal in an id",
        "ids",
        "GET",
        CLAIMS + "%2e%2e%2f%2e%2e%2fetc%2fpasswd/",
        None,
        None,
        status=(404, 404),
        says="No API endpoint",
    ),
    HostileRequest("negative id", "ids", "GET", CLAIMS + "-1/", None, None, status=(404, 404), says="No API endpoint"),
    HostileRequest("zero id", "ids", "GET", CLAIMS + "0/", None, None, status=(404, 404), says="not found"),
    HostileRequest(
        "id of 20 digits",
        "ids",
        "GET",
        CLAIMS + "99999999999999999999/",
        None,
        None,
        status=(404, 404),
        says="No API endpoint",
    ),
    HostileRequest(
        "id of 18 digits", "ids", "GET", CLAIMS + "999999999999999999/", None, None, status=(404, 404), says="not found"
    ),
    HostileRequest(
        "fractional id", "ids", "GET", CLAIMS + "1.5/", None, None, status=(404, 404), says="No API endpoint"
    ),
    HostileRequest(
        "non-ASCII digits",
        "ids",
        "GET",
        CLAIMS + "%D9%A1%D9%A2/",
        None,
        None,
        status=(404, 404),
        says="No API endpoint",
    ),
    HostileRequest(
        "SQL in an id", "ids", "GET", SOURCES + "1%20OR%201=1/", None, None, status=(404, 404), says="No API endpoint"
    ),
    HostileRequest(
        "NUL in an id", "ids", "GET", "/api/v1/articles/1%00/", None, None, status=(400, 400), says="control character"
    ),
    HostileRequest(
        "unknown export format",
        "ids",
        "GET",
        "/api/v1/exports/xml/",
        None,
        None,
        status=(404, 404),
        says="No API endpoint",
    ),
    HostileRequest(
        "write to a huge id",
        "ids",
        "POST",
        CLAIMS + "999999999999999999/take/",
        b"{}",
        status=(404, 404),
        says="not found",
    ),
    HostileRequest(
        "missing trailing slash",
        "ids",
        "POST",
        "/api/v1/articles",
        as_json({"text": OK_TEXT}),
        status=(404, 404),
        says="/api/v1/articles/",
    ),
]

QUERIES = [
    HostileRequest(
        "updated_since garbage",
        "query",
        "GET",
        CLAIMS + "?updated_since=garbage",
        None,
        None,
        says="valid date/time",
    ),
    HostileRequest(
        "updated_since before year 1",
        "query",
        "GET",
        CLAIMS + "?updated_since=0001-01-01T00:00:00%2B01:00",
        None,
        None,
        says="valid date/time",
    ),
    HostileRequest(
        "updated_since after year 9999",
        "query",
        "GET",
        CLAIMS + "?updated_since=9999-12-31T23:59:59-14:00",
        None,
        None,
        says="valid date/time",
    ),
    HostileRequest("cursor of a NUL", "query", "GET", CLAIMS + "?cursor=%00", None, None, says="control character"),
    HostileRequest(
        "cursor of garbage", "query", "GET", CLAIMS + "?cursor=!!!not-base64***", None, None, says="Invalid cursor"
    ),
    HostileRequest(
        "cursor of non-ASCII", "query", "GET", CLAIMS + "?cursor=%C3%A9t%C3%A9", None, None, says="Invalid cursor"
    ),
    HostileRequest(
        "cursor with a huge id",
        "query",
        "GET",
        CLAIMS + "?cursor=" + cursor({"o": "-id", "v": "1", "i": 2**70}),
        None,
        None,
        says="Invalid cursor",
    ),
    HostileRequest(
        "cursor with a huge value",
        "query",
        "GET",
        CLAIMS + "?ordering=priority&cursor=" + cursor({"o": "priority", "v": "1e999", "i": 1}),
        None,
        None,
        says="Invalid cursor",
    ),
    HostileRequest(
        "cursor with a NaN value",
        "query",
        "GET",
        CLAIMS + "?ordering=priority&cursor=" + cursor({"o": "priority", "v": "nan", "i": 1}),
        None,
        None,
        says="Invalid cursor",
    ),
    HostileRequest(
        "cursor with a garbage date",
        "query",
        "GET",
        CLAIMS + "?ordering=updated_at&cursor=" + cursor({"o": "updated_at", "v": "yesterday", "i": 1}),
        None,
        None,
        says="Invalid cursor",
    ),
    HostileRequest(
        "cursor that is a list", "query", "GET", CLAIMS + "?cursor=" + cursor([1, 2]), None, None, says="Invalid cursor"
    ),
    HostileRequest("page_size a word", "query", "GET", CLAIMS + "?page_size=all", None, None, says="whole number"),
    HostileRequest("page_size negative", "query", "GET", CLAIMS + "?page_size=-5", None, None, says="at least 1"),
    HostileRequest(
        "ordering by a secret column",
        "query",
        "GET",
        CLAIMS + "?ordering=assignee__password",
        None,
        None,
        says="valid choice",
    ),
    HostileRequest(
        "SQL in the ordering",
        "query",
        "GET",
        CLAIMS + "?ordering=id;DROP%20TABLE%20claims_claim",
        None,
        None,
        says="valid choice",
    ),
    HostileRequest("unknown status", "query", "GET", CLAIMS + "?status=hacked", None, None, says="valid choice"),
    HostileRequest(
        "negative article filter", "query", "GET", CLAIMS + "?article=-1", None, None, says="greater than or equal"
    ),
    HostileRequest(
        "huge article filter",
        "query",
        "GET",
        CLAIMS + "?article=99999999999999999999999",
        None,
        None,
        says="less than or equal",
    ),
    HostileRequest(
        "NaN checkworthiness", "query", "GET", CLAIMS + "?min_checkworthiness=nan", None, None, says="number"
    ),
    HostileRequest(
        "checkworthiness above 1",
        "query",
        "GET",
        CLAIMS + "?min_checkworthiness=2",
        None,
        None,
        says="less than or equal",
    ),
    HostileRequest(
        "assigned_to_me a word", "query", "GET", CLAIMS + "?assigned_to_me=perhaps", None, None, says="valid boolean"
    ),
    HostileRequest(
        "export since garbage", "query", "GET", "/api/v1/exports/csv/?since=last%20week", None, None, says="Datetime"
    ),
    HostileRequest(
        "unknown source kind", "query", "GET", SOURCES + "?kind=%3Cscript%3E", None, None, says="not a valid choice"
    ),
]

CREDENTIALS = [
    HostileRequest(
        "no credentials",
        "auth",
        "POST",
        ARTICLES,
        as_json({"text": OK_TEXT}),
        auth="none",
        status=(401, 401),
        says="credentials were not provided",
    ),
    HostileRequest(
        "unknown token",
        "auth",
        "POST",
        ARTICLES,
        as_json({"text": OK_TEXT}),
        auth="Token cwb_notarealtoken",
        status=(401, 401),
        says="Invalid or revoked token",
    ),
    HostileRequest(
        "token keyword alone",
        "auth",
        "GET",
        CLAIMS,
        None,
        None,
        auth="Token",
        status=(401, 401),
        says="Invalid token header",
    ),
    HostileRequest(
        "token in three parts",
        "auth",
        "GET",
        CLAIMS,
        None,
        None,
        auth="Token a b",
        status=(401, 401),
        says="Invalid token header",
    ),
    HostileRequest(
        "non-ASCII token",
        "auth",
        "GET",
        CLAIMS,
        None,
        None,
        auth="Bearer cwb_caf\xe9",
        status=(401, 401),
        says="Invalid token",
    ),
    HostileRequest(
        "token of 10,000 characters",
        "auth",
        "GET",
        CLAIMS,
        None,
        None,
        auth="Token cwb_" + "x" * 10_000,
        status=(401, 401),
        says="Invalid or revoked token",
    ),
    HostileRequest(
        "SQL as a token",
        "auth",
        "GET",
        CLAIMS,
        None,
        None,
        auth="Token cwb_' OR '1'='1",
        status=(401, 401),
        says="Invalid token header",
    ),
    HostileRequest(
        "basic auth instead of a token",
        "auth",
        "GET",
        CLAIMS,
        None,
        None,
        auth="Basic YWRtaW46YWRtaW4=",
        status=(401, 401),
        says="credentials were not provided",
    ),
    HostileRequest(
        "read token writes an article",
        "auth",
        "POST",
        ARTICLES,
        as_json({"text": OK_TEXT}),
        auth="read",
        status=(403, 403),
        says="read-only",
    ),
    HostileRequest(
        "read token imports sources",
        "auth",
        "POST",
        SOURCES + "import/",
        as_json({"sources": [{"url": "https://s.example.org/x", "title": "t"}]}),
        auth="read",
        status=(403, 403),
        says="read-only",
    ),
]

IDEMPOTENCY_KEYS = [
    HostileRequest(
        "empty Idempotency-Key",
        "idempotency",
        "POST",
        ARTICLES,
        as_json({"text": OK_TEXT}),
        headers={"HTTP_IDEMPOTENCY_KEY": ""},
        says="Idempotency-Key",
    ),
    HostileRequest(
        "blank Idempotency-Key",
        "idempotency",
        "POST",
        ARTICLES,
        as_json({"text": OK_TEXT}),
        headers={"HTTP_IDEMPOTENCY_KEY": "   "},
        says="Idempotency-Key",
    ),
    HostileRequest(
        "Idempotency-Key of 201 characters",
        "idempotency",
        "POST",
        ARTICLES,
        as_json({"text": OK_TEXT}),
        headers={"HTTP_IDEMPOTENCY_KEY": "k" * 201},
        says="Idempotency-Key",
    ),
    HostileRequest(
        "NUL in the Idempotency-Key",
        "idempotency",
        "POST",
        ARTICLES,
        as_json({"text": OK_TEXT}),
        headers={"HTTP_IDEMPOTENCY_KEY": "key\x00one"},
        says="Idempotency-Key",
    ),
    HostileRequest(
        "non-ASCII Idempotency-Key",
        "idempotency",
        "POST",
        ARTICLES,
        as_json({"text": OK_TEXT}),
        headers={"HTTP_IDEMPOTENCY_KEY": "cl\xe9"},
        says="Idempotency-Key",
    ),
    HostileRequest(
        "control characters in the key",
        "idempotency",
        "POST",
        ARTICLES,
        as_json({"text": OK_TEXT}),
        headers={"HTTP_IDEMPOTENCY_KEY": "a\r\nSet-Cookie: x=1"},
        says="Idempotency-Key",
    ),
]

CONTENT_TYPES = [
    HostileRequest(
        "plain text body",
        "content-type",
        "POST",
        ARTICLES,
        OK_TEXT.encode(),
        "text/plain",
        status=(415, 415),
        says="Unsupported media type",
    ),
    HostileRequest(
        "form-encoded body",
        "content-type",
        "POST",
        ARTICLES,
        b"text=abc",
        "application/x-www-form-urlencoded",
        status=(415, 415),
        says="Unsupported media type",
    ),
    HostileRequest(
        "multipart body",
        "content-type",
        "POST",
        ARTICLES,
        b"--x\r\n\r\n--x--",
        "multipart/form-data; boundary=x",
        status=(415, 415),
        says="Unsupported media type",
    ),
    HostileRequest(
        "XML body",
        "content-type",
        "POST",
        ARTICLES,
        b"<article><text>a</text></article>",
        "application/xml",
        status=(415, 415),
        says="Unsupported media type",
    ),
    HostileRequest(
        "JSON with an unknown charset",
        "content-type",
        "POST",
        ARTICLES,
        as_json({"text": ""}),
        "application/json; charset=utf-999",
        status=(415, 415),
        says="charset",
    ),
]

VERBS = [
    HostileRequest("PUT a claim", "verbs", "PUT", CLAIMS + "{claim}/", b"{}", status=(405, 405), says="not allowed"),
    HostileRequest(
        "PATCH a claim without the version it is based on",
        "verbs",
        "PATCH",
        CLAIMS + "{claim}/",
        b'{"speaker": "Someone else"}',
        status=(400, 400),
        says="required",
    ),
    HostileRequest(
        "DELETE the claim list", "verbs", "DELETE", CLAIMS, None, None, status=(405, 405), says="not allowed"
    ),
    HostileRequest("PUT the article list", "verbs", "PUT", ARTICLES, b"{}", status=(405, 405), says="not allowed"),
    HostileRequest(
        "GET a write action",
        "verbs",
        "GET",
        CLAIMS + "{claim}/take/",
        None,
        None,
        status=(405, 405),
        says="not allowed",
    ),
    HostileRequest(
        "POST the rating scale", "verbs", "POST", "/api/v1/ratings/", b"{}", status=(405, 405), says="not allowed"
    ),
    HostileRequest(
        "DELETE an article",
        "verbs",
        "DELETE",
        ARTICLES + "{article}/",
        None,
        None,
        status=(405, 405),
        says="not allowed",
    ),
    HostileRequest("TRACE the API", "verbs", "TRACE", CLAIMS, None, None, status=(405, 405), says="not allowed"),
    # The schema speaks YAML unless asked for JSON; its errors have the same shape either way.
    HostileRequest(
        "POST the schema",
        "verbs",
        "POST",
        "/api/schema/",
        b"{}",
        headers={"HTTP_ACCEPT": "application/json"},
        status=(405, 405),
        says="not allowed",
    ),
]

URL_TRICKS = [
    _fetch("file scheme", "file:///etc/passwd", says="valid URL"),
    _fetch("gopher scheme", "gopher://127.0.0.1:6379/_INFO", says="valid URL"),
    _fetch("ftp scheme", "ftp://ftp.example.org/file.txt", says="http or https"),
    _fetch("javascript scheme", "javascript:alert(document.cookie)", says="valid URL"),
    _fetch("data scheme", "data:text/html,<script>alert(1)</script>", says="valid URL"),
    _fetch("loopback", "http://127.0.0.1:6379/", says="non-public address"),
    _fetch("loopback IPv6", "http://[::1]:5432/", says="non-public address"),
    _fetch("IPv4-mapped loopback", "http://[::ffff:127.0.0.1]/", says="non-public address"),
    _fetch("localhost name", "http://localhost/admin/", says="non-public address"),
    _fetch("cloud metadata", "http://169.254.169.254/latest/meta-data/", says="non-public address"),
    _fetch("private network", "http://10.0.0.1/", says="non-public address"),
    _fetch("unspecified address", "http://0.0.0.0/", says="non-public address"),
    _fetch("decimal IP", "http://2130706433/", says="valid URL"),
    _fetch("hexadecimal IP", "http://0x7f.1/", says="valid URL"),
    _fetch("octal IP", "http://0177.0.0.1/", says="valid URL"),
    _fetch("userinfo before loopback", "http://news.example.org@127.0.0.1/", says="user name or password"),
    _fetch("port out of range", "http://127.0.0.1:99999/", says="invalid port"),
    _fetch("fullwidth dots", "http://127\u30020\u30020\u30021/", says="valid URL"),
]

CORPUS: list[HostileRequest] = [
    *MALFORMED_JSON,
    *WRONG_TYPES,
    *MISSING_FIELDS,
    *SIZE,
    *BAD_CHARACTERS,
    *IDS_AND_PATHS,
    *QUERIES,
    *CREDENTIALS,
    *IDEMPOTENCY_KEYS,
    *CONTENT_TYPES,
    *VERBS,
    *URL_TRICKS,
]


@dataclass(frozen=True)
class HostileIngest:
    """Arguments for ``article_ingest`` as the command line, a bulk import or a script would give them."""

    name: str
    arguments: dict[str, object]
    status: int = 400
    says: str = ""


LOOKALIKE_LOCALHOST = "\u24db\u24de\u24d2\u24d0\u24db\u24d7\u24de\u24e2\u24e3"  # ⓛⓞⓒⓐⓛⓗⓞⓢⓣ

INGEST_CASES = [
    HostileIngest("invalid UTF-8 bytes", {"text": b"caf\xe9 au lait \xff\xfe"}, says="not valid UTF-8"),
    HostileIngest("NUL bytes", {"text": b"Binary\x00data\x00"}, says="NUL bytes"),
    HostileIngest("NUL characters", {"text": "Text with a \x00 in it."}, says="NUL characters"),
    HostileIngest("lone surrogate", {"text": "Half a pair: \udc80."}, says="surrogate"),
    HostileIngest("empty bytes", {"text": b""}, says="empty"),
    HostileIngest("only a byte-order mark", {"text": b"\xef\xbb\xbf"}, says="empty"),
    HostileIngest("only line and paragraph separators", {"text": "\r\n\u2028\u2029 \t"}, says="empty"),
    HostileIngest("10 MB paste", {"text": "Word " * (2 * MB)}, status=413, says="limit"),
    HostileIngest("3 MB of bytes", {"text": b"Word " * (600 * 1024)}, status=413, says="limit"),
    HostileIngest(
        "HTML of scripts only",
        {"html": "<script>alert(1)</script><img src=x onerror=alert(1)>"},
        says="no readable text",
    ),
    HostileIngest("HTML with NUL bytes", {"html": b"<p>Binary\x00</p>"}, says="NUL bytes"),
    HostileIngest("blank HTML", {"html": "   "}, says="empty"),
    HostileIngest(
        "javascript: URL stored as the link",
        {"text": OK_TEXT, "url": "javascript:alert(document.cookie)"},
        says="http or https",
    ),
    HostileIngest(
        "data: URL stored as the link",
        {"text": OK_TEXT, "url": "data:text/html,<script>alert(1)</script>"},
        says="http or https",
    ),
    HostileIngest("file URL fetched", {"url": "file:///etc/passwd", "fetch": True}, says="http or https"),
    HostileIngest(
        "gopher URL fetched", {"url": "gopher://127.0.0.1:6379/_FLUSHALL", "fetch": True}, says="http or https"
    ),
    HostileIngest(
        "URL of 2,001 characters",
        {"text": OK_TEXT, "url": "https://news.example.org/" + "p" * 1976},
        says="limited to 2000",
    ),
    HostileIngest("broken IPv6 URL", {"url": "http://[::1/", "fetch": True}, says="not a valid URL"),
    HostileIngest("fetch without a URL", {"fetch": True}, says="URL is needed"),
    HostileIngest("loopback fetched", {"url": "http://127.0.0.1:1/", "fetch": True}, says="non-public address"),
    HostileIngest("decimal loopback fetched", {"url": "http://2130706433/", "fetch": True}, says="non-public address"),
    HostileIngest(
        "look-alike localhost fetched",
        {"url": f"http://{LOOKALIKE_LOCALHOST}/", "fetch": True},
        says="non-public address",
    ),
    HostileIngest(
        "userinfo trick fetched",
        {"url": "http://news.example.org@169.254.169.254/", "fetch": True},
        says="user name or password",
    ),
    HostileIngest("title of 501 characters", {"text": OK_TEXT, "title": "t" * 501}, says="title is limited"),
    HostileIngest("language of 17 characters", {"text": OK_TEXT, "language": "x" * 17}, says="language is limited"),
    HostileIngest("no body at all", {}, says="Give the article"),
]


@dataclass(frozen=True)
class HostileFile:
    """A file handed to ``manage.py ingest_article``; ``options`` are extra command-line options."""

    name: str
    content: bytes | None
    suffix: str = ".txt"
    options: tuple[str, ...] = ()
    says: str = ""


COMMAND_CASES = [
    HostileFile("invalid UTF-8 file", b"Caf\xe9 society \xff", says="not valid UTF-8"),
    HostileFile("binary file", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", says="NUL bytes"),
    HostileFile("empty file", b"", says="empty"),
    HostileFile(
        "HTML file of scripts", b"<html><body><script>steal()</script></body></html>", ".html", says="no readable text"
    ),
    HostileFile("file over the cap", b"Word " * (600 * 1024), says="limit"),
    HostileFile(
        "javascript: URL option", OK_TEXT.encode(), options=("--url", "javascript:alert(1)"), says="http or https"
    ),
    HostileFile("garbage date option", OK_TEXT.encode(), options=("--published-at", "yesterday"), says="YYYY-MM-DD"),
    HostileFile("title option too long", OK_TEXT.encode(), options=("--title", "t" * 501), says="title is limited"),
    HostileFile("missing file", None, says="No such file"),
]
