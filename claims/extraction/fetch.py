"""Fetching an article by URL, guarded against server-side request forgery.

A desk pastes URLs from the open web, and the server fetches them from inside its own network, so
a URL must never reach loopback, private, link-local (cloud metadata at 169.254.169.254) or other
non-public addresses. The address is checked when each connection is opened, after DNS
resolution, and the socket connects to the address that was checked: a redirect, or a DNS answer
that changes between check and use, cannot slip through.
"""

import functools
import http.client
import ipaddress
import re
import socket
import ssl
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from email.message import Message

from claims.extraction.errors import (
    DocumentTooLargeError,
    FetchError,
    UndecodableDocumentError,
    UnsafeUrlError,
)
from claims.extraction.html import html_to_text
from claims.extraction.text import decode_and_normalise

ALLOWED_SCHEMES = frozenset({"http", "https"})
HTML_CONTENT_TYPES = frozenset({"text/html", "application/xhtml+xml"})
TEXT_CONTENT_TYPES = frozenset({"text/plain"})
MAX_REDIRECTS = 5
USER_AGENT = "claim-workbench/0.1 (fact-checking article fetcher)"
_CHUNK_BYTES = 64 * 1024
_META_CHARSET = re.compile(rb"""<meta[^>]+charset=["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


class _Deadline:
    """One deadline over a whole fetch: connecting, the TLS handshake, headers, body and redirects.

    A socket timeout bounds each read, so a peer sending one byte a second never trips it; checking
    the clock between reads does not help either, because one buffered read waits for its whole
    chunk. When the deadline passes, a timer shuts every socket of the fetch down, which ends any
    read in progress at once. (Name resolution runs before any socket and is bounded by the
    system resolver.)"""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expires_at = time.monotonic() + seconds
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> "_Deadline":
        self._timer.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._timer.cancel()

    def remaining(self) -> float:
        return max(0.0, self.expires_at - time.monotonic())

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)
            if self.expired:
                _shut_down(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                _shut_down(sock)


def _shut_down(sock: socket.socket) -> None:
    # The plain socket's shutdown, also for a TLS socket: it acts on the descriptor, where a read
    # in another thread is waiting, without touching the TLS object that read is using.
    try:
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except OSError:
        pass  # already closed, or a socket a TLS wrapper has taken over


@dataclass(frozen=True, slots=True)
class FetchedDocument:
    """A fetched page: `text` is normalised main text; `html` is the page when it was HTML."""

    url: str
    final_url: str
    content_type: str
    text: str
    html: str | None


def fetch_url(
    url: str,
    *,
    timeout: float,
    max_bytes: int,
    allow_private: bool = False,
    allowed_private_hosts: frozenset[str] = frozenset(),
) -> FetchedDocument:
    """Fetch an http(s) URL and return its main text.

    `timeout` bounds the whole fetch, however slowly the peer sends; `max_bytes` bounds the body,
    which is streamed and abandoned as soon as it passes the limit. `allow_private` lifts the
    address guard (tests only); `allowed_private_hosts` lifts it for connections to those host
    names only, so a redirect from an allowed host to any other private address is still refused.

    Raises `UnsafeUrlError` (scheme or address refused, also on a redirect), `FetchError`
    (network, HTTP status, content type), `DocumentTooLargeError`, `UndecodableDocumentError`
    and `EmptyDocumentError`.
    """
    _check_scheme(url)
    url = _with_ascii_host(url)
    deadline = _Deadline(timeout)
    opener = _build_opener(
        allow_private=allow_private,
        allowed_private_hosts=frozenset(host.lower() for host in allowed_private_hosts),
        deadline=deadline,
    )
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "text/html, text/plain"})
    too_slow = f"fetching {url} took longer than {timeout:g} s"
    try:
        with deadline, opener.open(request, timeout=timeout) as response:
            headers: Message = response.headers
            content_type = headers.get_content_type()
            if content_type not in HTML_CONTENT_TYPES | TEXT_CONTENT_TYPES:
                raise FetchError(f"unsupported content type {content_type!r}; expected HTML or plain text")
            declared_length = headers.get("Content-Length")
            if declared_length and declared_length.isdigit() and int(declared_length) > max_bytes:
                raise DocumentTooLargeError(f"document is {declared_length} bytes; the limit is {max_bytes}")
            body = _read_capped(response, max_bytes=max_bytes, deadline=deadline)
            final_url = response.geturl()
            charset = headers.get_content_charset()
        if deadline.expired:
            # A read that the deadline cut short can look like a complete, shorter body.
            raise FetchError(too_slow)
    except urllib.error.HTTPError as error:
        raise FetchError(too_slow if deadline.expired else f"HTTP {error.code} fetching {url}") from error
    except urllib.error.URLError as error:
        raise FetchError(too_slow if deadline.expired else f"could not fetch {url}: {error.reason}") from error
    except (TimeoutError, http.client.HTTPException, ssl.SSLError, OSError) as error:
        raise FetchError(too_slow if deadline.expired else f"could not fetch {url}: {error}") from error
    except ValueError as error:
        # A redirect to a URL that urllib or the IDNA codec cannot handle (UnicodeError is a ValueError).
        raise FetchError(too_slow if deadline.expired else f"could not fetch {url}: {error}") from error

    # The size limit was enforced on the bytes received; re-encoding a decoded page as UTF-8 can
    # make it larger (Latin-1 -> UTF-8), which must not turn an accepted page into an error.
    decoded_limit = 4 * max_bytes
    if content_type in HTML_CONTENT_TYPES:
        html = _decode_html(body, charset=charset)
        text = decode_and_normalise(html_to_text(html), max_bytes=decoded_limit)
        return FetchedDocument(url=url, final_url=final_url, content_type=content_type, text=text, html=html)
    if charset and charset.lower().replace("_", "-") not in {"utf-8", "utf8", "us-ascii", "ascii"}:
        text = decode_and_normalise(_decode(body, charset=charset), max_bytes=decoded_limit)
    else:
        text = decode_and_normalise(body, max_bytes=max_bytes)
    return FetchedDocument(url=url, final_url=final_url, content_type=content_type, text=text, html=None)


def is_forbidden_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Whether a resolved address is outside the public internet."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return not address.is_global or address.is_multicast


def _check_scheme(url: str) -> None:
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError as error:
        raise UnsafeUrlError(f"{url!r} is not a valid URL: {error}") from None
    if parts.scheme.lower() not in ALLOWED_SCHEMES:
        raise UnsafeUrlError(f"only http and https URLs can be fetched, not {parts.scheme or 'a bare path'!r}")
    if not parts.hostname:
        raise UnsafeUrlError(f"URL {url!r} has no host")
    # "http://trusted.example@10.0.0.1/" reads as one host and connects to another; no article
    # needs credentials in its URL.
    if parts.username is not None or parts.password is not None:
        raise UnsafeUrlError("URLs with a user name or password in them are not fetched")
    try:
        parts.port  # noqa: B018 - raises ValueError for a port outside 0-65535
    except ValueError:
        raise UnsafeUrlError(f"URL {url!r} has an invalid port") from None


def _with_ascii_host(url: str) -> str:
    """The URL with its host in IDNA form, as DNS and the Host header need it. Encoding first means
    a look-alike such as "ⓛⓞⓒⓐⓛⓗⓞⓢⓣ" is checked as the name it maps to ("localhost")."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        raise UnsafeUrlError(f"{host!r} is not a valid host name") from None
    if ascii_host == host:
        return url
    netloc = f"[{ascii_host}]" if ":" in ascii_host else ascii_host
    if parts.port is not None:
        netloc += f":{parts.port}"
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc))


def _connect_checked(
    host: str,
    port: int,
    timeout: float | None,
    *,
    allow_private: bool,
    allowed_private_hosts: frozenset[str],
    deadline: _Deadline,
) -> socket.socket:
    allow_private = allow_private or host.lower() in allowed_private_hosts
    try:
        candidates = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise FetchError(f"could not resolve {host!r}: {error}") from error
    last_error: OSError | None = None
    refused: list[str] = []
    for family, kind, protocol, _name, address in candidates:
        ip = ipaddress.ip_address(address[0])
        if not allow_private and is_forbidden_address(ip):
            refused.append(str(ip))
            continue
        connection = socket.socket(family, kind, protocol)
        connection.settimeout(min(timeout, deadline.remaining()) if timeout is not None else deadline.remaining())
        deadline.watch(connection)
        try:
            connection.connect(address)
        except OSError as error:
            connection.close()
            last_error = error
            continue
        return connection
    if refused and last_error is None:
        raise UnsafeUrlError(f"{host!r} resolves to a non-public address ({', '.join(refused)})")
    raise FetchError(f"could not connect to {host!r}: {last_error}")


class _GuardedHTTPConnection(http.client.HTTPConnection):
    def __init__(
        self,
        *args: object,
        allow_private: bool,
        allowed_private_hosts: frozenset[str],
        deadline: _Deadline,
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._allow_private = allow_private
        self._allowed_private_hosts = allowed_private_hosts
        self._deadline = deadline

    def connect(self) -> None:
        self.sock = _connect_checked(
            self.host,
            self.port,
            self.timeout,
            allow_private=self._allow_private,
            allowed_private_hosts=self._allowed_private_hosts,
            deadline=self._deadline,
        )


class _GuardedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(
        self,
        *args: object,
        allow_private: bool,
        allowed_private_hosts: frozenset[str],
        deadline: _Deadline,
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-overload]
        self._allow_private = allow_private
        self._allowed_private_hosts = allowed_private_hosts
        self._deadline = deadline

    def connect(self) -> None:
        raw = _connect_checked(
            self.host,
            self.port,
            self.timeout,
            allow_private=self._allow_private,
            allowed_private_hosts=self._allowed_private_hosts,
            deadline=self._deadline,
        )
        self.sock = self._context.wrap_socket(raw, server_hostname=self.host)  # type: ignore[attr-defined]
        self._deadline.watch(self.sock)


class _GuardedHTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, *, allow_private: bool, allowed_private_hosts: frozenset[str], deadline: _Deadline) -> None:
        super().__init__()
        self._allow_private = allow_private
        self._allowed_private_hosts = allowed_private_hosts
        self._deadline = deadline

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        connection = functools.partial(
            _GuardedHTTPConnection,
            allow_private=self._allow_private,
            allowed_private_hosts=self._allowed_private_hosts,
            deadline=self._deadline,
        )
        return self.do_open(connection, req)


@functools.lru_cache(maxsize=1)
def _tls_context() -> ssl.SSLContext:
    # Loading the CA store costs more than a whole request on loopback; one context serves every
    # connection (wrap_socket is thread-safe).
    return ssl.create_default_context()


class _GuardedHTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, *, allow_private: bool, allowed_private_hosts: frozenset[str], deadline: _Deadline) -> None:
        super().__init__(context=_tls_context())
        self._allow_private = allow_private
        self._allowed_private_hosts = allowed_private_hosts
        self._deadline = deadline

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        connection = functools.partial(
            _GuardedHTTPSConnection,
            allow_private=self._allow_private,
            allowed_private_hosts=self._allowed_private_hosts,
            deadline=self._deadline,
        )
        return self.do_open(connection, req, context=self._context)  # type: ignore[attr-defined]


class _CheckedRedirectHandler(urllib.request.HTTPRedirectHandler):
    max_redirections = MAX_REDIRECTS

    def http_error_302(self, req: urllib.request.Request, fp: object, code: int, msg: str, headers: Message) -> object:
        # The new address is checked again when its connection opens; the scheme is checked here
        # so that a redirect to file: or ftp: is reported as unsafe, not as an HTTP error.
        location = headers.get("Location") or headers.get("URI")
        if location:
            _check_scheme(urllib.parse.urljoin(req.full_url, location))
        return super().http_error_302(req, fp, code, msg, headers)  # type: ignore[arg-type]

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302


def _build_opener(
    *, allow_private: bool, allowed_private_hosts: frozenset[str], deadline: _Deadline
) -> urllib.request.OpenerDirector:
    # Built by hand rather than with build_opener(): no proxy from the environment (a proxy would
    # hide the real destination from the guard), and no file:, ftp: or data: handlers.
    opener = urllib.request.OpenerDirector()
    for handler in (
        _GuardedHTTPHandler(
            allow_private=allow_private, allowed_private_hosts=allowed_private_hosts, deadline=deadline
        ),
        _GuardedHTTPSHandler(
            allow_private=allow_private, allowed_private_hosts=allowed_private_hosts, deadline=deadline
        ),
        _CheckedRedirectHandler(),
        urllib.request.HTTPDefaultErrorHandler(),
        urllib.request.HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    return opener


def _read_capped(response: http.client.HTTPResponse, *, max_bytes: int, deadline: _Deadline) -> bytes:
    chunks: list[bytes] = []
    received = 0
    while True:
        if deadline.expired:
            raise FetchError(f"the download took longer than {deadline.seconds:g} s")
        chunk = response.read(_CHUNK_BYTES)
        if not chunk:
            return b"".join(chunks)
        received += len(chunk)
        if received > max_bytes:
            raise DocumentTooLargeError(f"document is larger than the limit of {max_bytes} bytes")
        chunks.append(chunk)


def _decode(body: bytes, *, charset: str) -> str:
    try:
        return body.decode(charset, errors="strict")
    except LookupError as error:
        raise UndecodableDocumentError(f"unknown character set {charset!r}") from error
    except UnicodeDecodeError as error:
        raise UndecodableDocumentError(f"document is not valid {charset}") from error


def _decode_html(body: bytes, *, charset: str | None) -> str:
    if b"\x00" in body:
        raise UndecodableDocumentError("document contains NUL bytes; it looks like binary data")
    declared = charset
    if declared is None:
        meta = _META_CHARSET.search(body[:4096])
        declared = meta.group(1).decode("ascii") if meta else "utf-8"
    return _decode(body, charset=declared)
