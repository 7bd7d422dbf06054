"""Safe HTTP for the crawler: every connection goes to an address that was vetted first.

A host is resolved once per connection. If any of its addresses is loopback, private,
link-local, multicast, reserved or a cloud metadata address, and not allow-listed, the target
is refused before a byte is sent. The socket then connects to the vetted address itself, so a
DNS answer cannot change between the check and the connect (rebinding). Redirects are not
followed here: the crawler follows them itself, so every hop goes through the same check.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlsplit

import urllib3
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

METADATA_HOSTS = frozenset(
    {"metadata", "metadata.google.internal", "metadata.goog", "instance-data", "instance-data.ec2.internal"}
)
METADATA_IPS = frozenset(
    ipaddress.ip_address(a)
    for a in ("169.254.169.254", "169.254.170.2", "100.100.100.200", "fd00:ec2::254", "192.0.0.192")
)
CHUNK = 64 * 1024


class RefusedTarget(Exception):
    """The target may not be fetched (unsafe address or scheme); `reason` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class FetchError(Exception):
    """A request got no usable response (timeout, connection error); `reason` is a short code."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


def address_class(ip: IPAddress) -> str | None:
    """Why an address is unsafe to crawl ('metadata', 'loopback', ...), or None if it is public."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip in METADATA_IPS:
        return "metadata"
    for name in ("unspecified", "loopback", "link_local", "multicast", "private", "reserved"):
        if getattr(ip, f"is_{name}"):
            return name
    return None if ip.is_global else "non_global"


@dataclass(frozen=True)
class AddressPolicy:
    """Which unsafe addresses are allowed anyway (config `allow_addresses`: IPs or networks)."""

    allow: tuple[IPNetwork, ...] = ()

    @classmethod
    def from_strings(cls, values: list[str]) -> AddressPolicy:
        return cls(tuple(ipaddress.ip_network(v, strict=False) for v in values))

    def check_host(self, host: str) -> None:
        if host.lower().rstrip(".") in METADATA_HOSTS:
            raise RefusedTarget("refused_address:metadata")

    def check(self, ip: IPAddress) -> None:
        unsafe = address_class(ip)
        if unsafe and not any(ip in net for net in self.allow):
            raise RefusedTarget(f"refused_address:{unsafe}")

    def resolve(self, host: str, port: int) -> list[tuple[int, str]]:
        """(family, address) pairs of `host`, all checked; RefusedTarget if any is unsafe."""
        self.check_host(host)
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            raise FetchError("dns_error", str(exc)) from exc
        addresses = list(dict.fromkeys((info[0], info[4][0]) for info in infos))
        for _, address in addresses:
            self.check(ipaddress.ip_address(address.split("%")[0]))
        return addresses


def _connect(conn: HTTPConnection, policy: AddressPolicy) -> socket.socket:
    last: OSError | None = None
    for family, address in policy.resolve(conn._dns_host, conn.port):
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            for option in conn.socket_options or ():
                sock.setsockopt(*option)
            sock.settimeout(conn.timeout if isinstance(conn.timeout, int | float) else None)
            sock.connect((address, conn.port))
        except TimeoutError as exc:
            sock.close()
            raise ConnectTimeoutError(conn, f"connect to {conn.host} timed out") from exc
        except OSError as exc:
            sock.close()
            last = exc
            continue
        conn.peer_address = address
        return sock
    raise NewConnectionError(conn, f"cannot connect to {conn.host}: {last}")


class _SafeHTTPConnection(HTTPConnection):
    policy: AddressPolicy = AddressPolicy()
    peer_address: str | None = None

    def _new_conn(self) -> socket.socket:
        return _connect(self, self.policy)


class _SafeHTTPSConnection(HTTPSConnection):
    policy: AddressPolicy = AddressPolicy()
    peer_address: str | None = None

    def _new_conn(self) -> socket.socket:
        return _connect(self, self.policy)


def _pool_manager(policy: AddressPolicy, maxsize: int) -> urllib3.PoolManager:
    conn = type("Conn", (_SafeHTTPConnection,), {"policy": policy})
    tls_conn = type("TlsConn", (_SafeHTTPSConnection,), {"policy": policy})
    manager = urllib3.PoolManager(num_pools=256, maxsize=maxsize, block=False)
    manager.pool_classes_by_scheme = {
        "http": type("Pool", (HTTPConnectionPool,), {"ConnectionCls": conn}),
        "https": type("TlsPool", (HTTPSConnectionPool,), {"ConnectionCls": tls_conn}),
    }
    return manager


@dataclass
class Response:
    """One HTTP exchange as it went over the wire (body possibly cut, see `truncated`)."""

    url: str
    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: bytes
    request_headers: list[tuple[str, str]]
    fetched_at: datetime
    peer_address: str | None = None
    truncated: str | None = None  # WARC-Truncated value: "length" or "time"
    elapsed: float = 0.0
    header_map: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        self.header_map = {k.lower(): v for k, v in self.headers}

    def header(self, name: str) -> str | None:
        return self.header_map.get(name.lower())


@dataclass(frozen=True)
class FetchLimits:
    connect_timeout: float
    read_timeout: float
    total_timeout: float
    max_bytes: int


class Fetcher:
    """GETs one URL (no redirects, no retries) through vetted connections."""

    def __init__(self, policy: AddressPolicy, user_agent: str, limits: FetchLimits, maxsize: int = 4) -> None:
        self.policy = policy
        self.user_agent = user_agent
        self.limits = limits
        self.manager = _pool_manager(policy, maxsize)

    def vet(self, url: str) -> None:
        """Refuse a URL before any request: bad scheme or an unsafe address."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise RefusedTarget(f"unsupported_scheme:{parts.scheme or 'none'}")
        self.policy.resolve(parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80))

    def get(self, url: str, max_bytes: int | None = None) -> Response:
        limits = self.limits
        cap = limits.max_bytes if max_bytes is None else max_bytes
        parts = urlsplit(url)
        headers = [
            ("Host", parts.netloc),
            ("User-Agent", self.user_agent),
            ("Accept", "text/html,application/xhtml+xml,application/pdf;q=0.9,*/*;q=0.8"),
            ("Accept-Encoding", "gzip, deflate"),
        ]
        started = time.monotonic()
        fetched_at = datetime.now(UTC)
        timeout = urllib3.Timeout(connect=limits.connect_timeout, read=limits.read_timeout)
        try:
            resp = self.manager.urlopen(
                "GET",
                url,
                headers=dict(headers),
                redirect=False,
                retries=False,
                preload_content=False,
                timeout=timeout,
            )
        except urllib3.exceptions.HTTPError as exc:
            raise _fetch_error(exc) from exc
        peer = getattr(resp.connection, "peer_address", None)
        body = bytearray()
        truncated = None
        try:
            for chunk in resp.stream(CHUNK, decode_content=False):
                body += chunk
                if len(body) > cap:
                    del body[cap:]
                    truncated = "length"
                    break
                if time.monotonic() - started > limits.total_timeout:
                    truncated = "time"
                    break
        except urllib3.exceptions.HTTPError as exc:
            resp.close()
            resp.release_conn()
            raise _fetch_error(exc) from exc
        if truncated:
            resp.close()
        resp.release_conn()
        return Response(
            url=url,
            status=resp.status,
            reason=resp.reason or "",
            headers=list(resp.headers.items()),
            body=bytes(body),
            request_headers=headers,
            fetched_at=fetched_at,
            peer_address=peer,
            truncated=truncated,
            elapsed=time.monotonic() - started,
        )


def _fetch_error(exc: urllib3.exceptions.HTTPError) -> FetchError:
    cause = exc.reason if isinstance(exc, urllib3.exceptions.MaxRetryError) else exc
    if isinstance(cause, urllib3.exceptions.TimeoutError):
        return FetchError("timeout", str(cause))
    if isinstance(cause, urllib3.exceptions.NewConnectionError):
        return FetchError("connect_error", str(cause))
    if isinstance(cause, urllib3.exceptions.ProtocolError):
        return FetchError("protocol_error", str(cause))
    return FetchError("http_error", f"{type(cause).__name__}: {cause}")
