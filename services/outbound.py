"""Which addresses ChatKeep may call out to (gateway links, later tenants' webhook URLs).

Only http and https. A host that resolves to a loopback, private, link-local (cloud
metadata services live at 169.254.169.254), shared, multicast, reserved or unspecified
address is refused unless OUTBOUND_ALLOW_PRIVATE is set: a tenant must not make the
service call into its own network. The check runs on the addresses the name resolves to
now, before every call, not only when the URL was saved: DNS can change in between.
"""
import ipaddress
import socket
from urllib.parse import urlsplit


class OutboundRefused(ValueError):
    """The URL is not one ChatKeep calls out to; the message says why, for a 422 or a log."""


def check_url_form(url: str) -> str:
    """The URL's host name if the URL is an absolute http(s) URL with one, else OutboundRefused."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises ValueError on a port out of range)
    except ValueError:
        raise OutboundRefused("is not a valid URL") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise OutboundRefused("must be an http:// or https:// URL with a host")
    if parts.username or parts.password:
        raise OutboundRefused("must not carry a user name or password")
    return parts.hostname


def check_url(url: str, allow_private: bool) -> None:
    """OutboundRefused unless `url` may be called now (its host resolved and checked)."""
    host = check_url_form(url)
    if allow_private:
        return
    for address in _resolved(host):
        if is_private(address):
            raise OutboundRefused(f"points at a private or local address ({address}); "
                                  "set OUTBOUND_ALLOW_PRIVATE=true to allow it")


def is_private(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def _resolved(host: str) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        raise OutboundRefused(f"has a host name that does not resolve ({host})") from None
    return sorted({info[4][0] for info in infos})
