"""Proxies from the environment (``HTTPS_PROXY``, ``HTTP_PROXY``, ``ALL_PROXY``, ``NO_PROXY``,
read as curl and httpx read them): which one a URL goes through, and whether the API key may."""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from soundlint.config import ConfigError
from soundlint_audiostack.options import is_loopback


@dataclass(frozen=True)
class Proxy:
    """A proxy, and the environment variable that named it."""

    url: str = field(repr=False)
    """As configured, credentials included: for the connection only, never printed."""
    variable: str

    @property
    def address(self) -> str:
        """``scheme://host:port``, without credentials."""
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or ""

    def __str__(self) -> str:
        return f"the proxy {self.address} (from {self.variable})"


def proxy_for(url: str, environ: Mapping[str, str] = os.environ) -> Proxy | None:
    """The proxy a request to ``url`` goes through: ``<scheme>_proxy``, else ``all_proxy``
    (lower case first), unless ``no_proxy`` names the host."""
    parts = urlsplit(url)
    if _bypassed(parts.hostname or "", _variable(environ, "no_proxy")):
        return None
    for name in (f"{parts.scheme}_proxy", "all_proxy"):
        found = _variable(environ, name)
        if found is not None:
            variable, value = found
            return Proxy(value if "://" in value else f"http://{value}", variable)
    return None


def unusable(proxy: Proxy) -> str | None:
    """Why the proxy cannot be used, if it cannot."""
    scheme = urlsplit(proxy.url).scheme
    if scheme in ("socks5", "socks5h"):
        if importlib.util.find_spec("socksio") is None:
            return "is a SOCKS proxy, which needs the socksio package: pip install httpx[socks]"
        return None
    if scheme not in ("http", "https") or not proxy.host:
        return "is not an http, https or socks5 URL"
    try:
        _ = urlsplit(proxy.url).port  # parsing it is the check
    except ValueError:
        return "has a port that is not a number"
    return None


def check_key_route(api_base: str, proxy: Proxy | None) -> None:
    """Refuse a route on which the key would be readable on another host: an http API base
    (loopback only) reached through a proxy elsewhere. (An https base goes through any proxy
    in a CONNECT tunnel, encrypted end to end.)"""
    if proxy is None or urlsplit(api_base).scheme == "https":
        return
    if not is_loopback(proxy.host):
        raise ConfigError(
            f"refusing to send the API key over plain http through {proxy}; "
            f"add {urlsplit(api_base).hostname} to NO_PROXY, or use an https API base"
        )


def _variable(environ: Mapping[str, str], name: str) -> tuple[str, str] | None:
    for variable in (name, name.upper()):
        value = environ.get(variable, "").strip()
        if value:
            return variable, value
    return None


def _bypassed(host: str, no_proxy: tuple[str, str] | None) -> bool:
    """Whether ``NO_PROXY`` names the host: ``*``, the host itself, or a domain it is in
    (``.example.com`` for its subdomains only)."""
    if no_proxy is None:
        return False
    host = host.lower().strip("[]")
    for entry in no_proxy[1].split(","):
        entry = entry.strip().lower().strip("[]")
        if entry == "*":
            return True
        if not entry:
            continue
        if entry.startswith("."):
            if host.endswith(entry):
                return True
        elif host == entry or host.endswith(f".{entry}"):
            return True
    return False
