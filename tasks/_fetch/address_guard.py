"""Which URLs the fetcher may request: http(s) only, allowed hosts only, public addresses only.

The scheme and host are checked on every URL and redirect target; the addresses DNS gives for the
host are checked before every attempt (a private, loopback or link-local address is refused unless
the profile allows them or the host was given explicitly for this run, as ``--source`` is).
"""

from __future__ import annotations

import ipaddress
import socket
import threading
from collections.abc import Callable
from urllib.parse import urlsplit, urlunsplit

from tasks._fetch.rate_limit import Clock
from tasks.errors import ConnectFailed, HostNotAllowed
from tasks.settings import SiteProfile

Resolver = Callable[[str, int], list[str]]

DNS_CACHE_SECONDS = 300.0


class AddressGuard:
    """The allow-list of a profile plus this run's ``extra_hosts``, and a thread-safe DNS cache.

    ``resolve`` (host, port -> IP strings) and ``clock`` are injectable for tests.
    """

    def __init__(
        self,
        *,
        profile: SiteProfile,
        extra_hosts: frozenset[str],
        clock: Clock,
        resolve: Resolver | None = None,
    ) -> None:
        self.profile = profile
        self.extra_hosts = extra_hosts
        self._resolve = resolve or resolve_with_socket
        self._clock = clock
        self._dns: dict[str, tuple[float, tuple[str, ...]]] = {}
        self._lock = threading.Lock()

    def host_allowed(self, host: str | None) -> bool:
        """Whether a host may be fetched (profile allow-list or this run's extra hosts)."""
        return bool(host) and (host_of(host) in self.extra_hosts or self.profile.host_allowed(host))

    def check_allowed(
        self, url: str, *, asked: str, via: str | None = None, status: int | None = None
    ) -> None:
        """Scheme and host allow-list (addresses are checked per attempt, in check_addresses)."""
        parts = urlsplit(url)
        prefix = f"{via} redirects to {url}, but " if via else ""
        if parts.scheme not in ("http", "https"):
            scheme = f"{parts.scheme}:" if parts.scheme else "an address without http(s)://"
            raise HostNotAllowed(
                f"{prefix}only http and https addresses can be fetched, not {scheme} ({url}).",
                url=asked,
                status=status,
            )
        host = parts.hostname
        if not self.host_allowed(host):
            allowed = ", ".join([*self.profile.hosts, *sorted(self.extra_hosts)])
            if via:
                message = (
                    f"{via} redirects to {url}, on another host ({host}) that is not one of the "
                    f"site's allowed hosts ({allowed}); the redirect was refused. If that host "
                    "belongs to the site, add it to the site profile's hosts."
                )
            else:
                message = (
                    f"{host or 'no host'} is not one of the site's allowed hosts ({allowed}); {url} "
                    "was not fetched. If that host belongs to the site, add it to the site "
                    "profile's hosts."
                )
            raise HostNotAllowed(message, url=asked, status=status)

    def check_addresses(self, url: str, *, asked: str) -> None:
        """Refuse private, loopback and link-local targets unless allowed, after DNS too."""
        parts = urlsplit(url)
        host = parts.hostname or ""
        if self.profile.allow_private or host in self.extra_hosts:
            return
        port = parts.port or (443 if parts.scheme == "https" else 80)
        for address in self._addresses(host, port, url=url, asked=asked):
            kind = non_public_kind(address)
            if kind:
                shown = host if host == address else f"{host} resolves to {address}, which"
                article = "an" if kind[0] in "aeiou" else "a"
                raise HostNotAllowed(
                    f"{shown} is {article} {kind} address, and the site profile does not allow those "
                    f"(allow_private = false); {url} was not fetched, for safety.",
                    url=asked,
                )

    def _addresses(self, host: str, port: int, *, url: str, asked: str) -> tuple[str, ...]:
        try:
            return (str(ipaddress.ip_address(host)),)
        except ValueError:
            pass
        now = self._clock()
        with self._lock:
            cached = self._dns.get(host)
        if cached and cached[0] > now:
            return cached[1]
        try:
            addresses = tuple(self._resolve(host, port))
        except OSError as exc:
            raise ConnectFailed(
                f"Could not find the site {host} (DNS lookup failed: {exc}) for {url}; check the address "
                "and that this machine can reach the internet.",
                url=asked,
            ) from exc
        if not addresses:
            raise ConnectFailed(f"Could not find the site {host} (DNS gave no address) for {url}.", url=asked)
        with self._lock:
            self._dns[host] = (now + DNS_CACHE_SECONDS, addresses)
        return addresses


def normalise_url(url: str) -> str:
    """Strip the fragment and surrounding space; hosts are compared lower-case."""
    parts = urlsplit(url.strip())
    return urlunsplit((parts.scheme.lower(), parts.netloc, parts.path or "/", parts.query, ""))


def host_of(value: str) -> str:
    """A host name from a host or a URL, lower-case."""
    value = value.strip()
    if "://" in value:
        value = urlsplit(value).hostname or ""
    return value.lower().rstrip(".").strip("[]")


def non_public_kind(address: str) -> str | None:
    """What kind of non-public address an IP is (loopback, private …), or None for a public one."""
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link-local"
    if ip.is_private:
        return "private"
    if not ip.is_global or ip.is_multicast or ip.is_reserved:
        return "non-public"
    return None


def resolve_with_socket(host: str, port: int) -> list[str]:
    """The host's addresses from the system resolver, each once, in its order."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))
