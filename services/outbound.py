"""Calling out to tenants' addresses (webhook endpoints, gateway links), safely.

Only http and https. Every call resolves the host once, within the call's deadline, and
checks every address: loopback, private, link-local, shared, multicast, reserved and
unspecified ones are refused unless OUTBOUND_ALLOW_PRIVATE is set (a tenant must not make
the service call into its own network). IPv6 forms that carry an IPv4 address (mapped,
IPv4-compatible, NAT64 64:ff9b::/96, 6to4, Teredo) are judged by that address too. The
cloud metadata addresses stay refused even with the setting: they hand out credentials.
Then the call connects to the very address that was checked (a name that answers another
address to a second lookup, DNS rebinding, gains nothing), ignores proxy settings, follows
no redirect, and ends at its deadline, whatever the peer does (services.outbound_wire).

A refusal says only "not allowed": not which address the name has, nor whether an
internal name resolves at all.
"""
import http.client
import ipaddress
import socket
import threading
from dataclasses import dataclass
from time import monotonic
from urllib.parse import urlsplit

from services import outbound_wire

NOT_ALLOWED = "is not allowed (only public addresses are, unless the operator sets OUTBOUND_ALLOW_PRIVATE)"
METADATA = {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}
NAT64 = ipaddress.ip_network("64:ff9b::/96")
SIIT = ipaddress.ip_network("::ffff:0:0:0/96")  # IPv4-translated
USER_AGENT = "ChatKeep/1"


class OutboundRefused(ValueError):
    """The URL is not one ChatKeep calls out to; the message says why, for a 422 or a log."""


class OutboundFailed(Exception):
    """The call was made and failed: unreachable, TLS refused, not an HTTP answer. The
    message names the kind of failure (an exception's name), never an address."""


class OutboundTimeout(OutboundFailed):
    """No complete answer before the deadline (DNS, connection and answer together)."""


class _Unresolved(OutboundRefused):
    """The name has no address (now)."""


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes  # at most max_bytes + 1: longer than max_bytes means cut


def post(url: str, body: bytes, headers: dict, deadline_s: float, allow_private: bool,
         max_bytes: int = 0) -> Answer:
    """POST `body` to `url`, all of it within `deadline_s` seconds."""
    return _call("POST", url, body, headers, deadline_s, allow_private, max_bytes)


def get(url: str, headers: dict, deadline_s: float, allow_private: bool, max_bytes: int = 65536) -> Answer:
    """GET `url`, all of it within `deadline_s` seconds."""
    return _call("GET", url, None, headers, deadline_s, allow_private, max_bytes)


def check_url(url: str, allow_private: bool, deadline_s: float) -> None:
    """OutboundRefused unless `url` may be called now (its host resolved and every address
    checked); OutboundTimeout if the name does not resolve within `deadline_s`."""
    _url_parts, host, port, _tls = _target(url)
    try:
        _checked_addresses(host, port, allow_private, monotonic() + deadline_s)
    except (_Unresolved, OutboundTimeout):
        # Refused like a private address (no hint what resolves), unless private addresses
        # are allowed: then a name that resolves later is fine, each call checks it again.
        if not allow_private:
            raise OutboundRefused(NOT_ALLOWED) from None


def is_private(address: str) -> bool:
    """Whether an address (or an IPv4 address it carries) is not a public one."""
    return any(not ip.is_global or ip.is_multicast for ip in _forms(address))


def is_metadata(address: str) -> bool:
    return any(ip in METADATA for ip in _forms(address))


def _target(url: str):
    """(the URL's parts, its host in ASCII, its port, whether TLS) of a URL _parts accepts."""
    parts = _parts(url)
    tls = parts.scheme == "https"
    return parts, _ascii(parts.hostname), parts.port or (443 if tls else 80), tls


def _call(method, url, body, headers, deadline_s, allow_private, max_bytes) -> Answer:
    deadline = monotonic() + deadline_s
    parts, host, port, tls = _target(url)
    addresses = _checked_addresses(host, port, allow_private, deadline)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        status, data = outbound_wire.exchange(addresses, host, port, tls, method, target,
                                              {"User-Agent": USER_AGENT, **headers}, body, deadline, max_bytes)
    except outbound_wire.Expired:
        raise OutboundTimeout("timeout") from None
    except (OSError, ValueError, http.client.HTTPException) as exc:
        raise OutboundFailed(type(exc).__name__) from None
    return Answer(status, data)


def _parts(url: str):
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises ValueError on a port out of range)
    except ValueError:
        raise OutboundRefused("is not a valid URL") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise OutboundRefused("must be an http:// or https:// URL with a host")
    if parts.username or parts.password:
        raise OutboundRefused("must not carry a user name or password")
    return parts


def _ascii(host: str) -> str:
    """The host name as DNS, TLS and the Host header take it (IDNA for a non-ASCII name)."""
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        raise OutboundRefused("has a host name that is not valid") from None


def _checked_addresses(host: str, port: int, allow_private: bool, deadline: float) -> list[tuple]:
    """(family, socket address) pairs of `host`, each allowed; OutboundRefused if any is not."""
    infos = _resolve(host, port, deadline)
    addresses = list(dict.fromkeys((family, sockaddr) for family, sockaddr in infos))
    for _family, sockaddr in addresses:
        if is_metadata(sockaddr[0]) or (not allow_private and is_private(sockaddr[0])):
            raise OutboundRefused(NOT_ALLOWED)
    return addresses


def _resolve(host: str, port: int, deadline: float) -> list[tuple]:
    """getaddrinfo within the deadline (it has no timeout of its own: it runs in a thread
    that is left behind when the deadline passes; the system resolver ends it later)."""
    answer: dict = {}
    done = threading.Event()

    def lookup():
        try:
            answer["infos"] = [(info[0], info[4]) for info in socket.getaddrinfo(
                host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
                if info[0] in (socket.AF_INET, socket.AF_INET6)]
        except OSError:
            answer["infos"] = []
        done.set()

    threading.Thread(target=lookup, name="outbound-resolve", daemon=True).start()
    if not done.wait(max(0.0, deadline - monotonic())):
        raise OutboundTimeout("timeout")
    if not answer["infos"]:  # said as a refusal, like a private name: no hint what resolves
        raise _Unresolved(NOT_ALLOWED)
    return answer["infos"]


def _forms(address: str) -> list:
    """The address, and the IPv4 address an IPv6 form carries."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    forms = [ip]
    if isinstance(ip, ipaddress.IPv6Address):
        low32 = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if ip.ipv4_mapped or ip in NAT64 or ip in SIIT or int(ip) >> 32 == 0:  # ::a.b.c.d (compatible)
            forms.append(low32)
        if ip.sixtofour:
            forms.append(ip.sixtofour)
        if ip.teredo:
            forms.extend(ip.teredo)
    return forms
