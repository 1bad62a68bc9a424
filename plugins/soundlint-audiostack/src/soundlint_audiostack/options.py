"""The uploader's settings: ``[tool.soundlint.upload]``, the environment and the command line."""

from __future__ import annotations

import ipaddress
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from soundlint.config import ConfigError
from soundlint.words import closest, type_name

DEFAULT_API_BASE = "https://v2.api.audio"
KEY_VARIABLE = "AUDIOSTACK_API_KEY"
ORG_VARIABLE = "AUDIOSTACK_ORG_ID"
BASE_VARIABLE = "AUDIOSTACK_API_BASE"
TABLE = "[tool.soundlint.upload]"


class ApiKey:
    """The API key. It prints as ``***`` so that no repr, log line or traceback shows it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The key itself: only for the ``x-api-key`` header."""
        return self._value

    def __repr__(self) -> str:
        return "ApiKey(***)"

    __str__ = __repr__


@dataclass(frozen=True)
class Tuning:
    """Timeouts, retries, polling and concurrency: every number the uploader waits by."""

    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    attempts: int = 5
    backoff: float = 0.5
    """Seconds before the first retry; doubled for each further one, with jitter."""
    max_backoff: float = 60.0
    """The longest wait between attempts; a longer Retry-After gives up instead."""
    poll_interval: float = 1.0
    poll_timeout: float = 300.0
    """How long a file may take, in all, to become ``uploaded`` after its bytes are sent."""
    concurrency: int = 4
    """Segment files uploaded at once."""


# key in the table -> (Tuning field, type, smallest value allowed)
_TUNING_KEYS: dict[str, tuple[str, type, float]] = {
    "connect-timeout": ("connect_timeout", float, 0.001),
    "read-timeout": ("read_timeout", float, 0.001),
    "attempts": ("attempts", int, 1),
    "backoff": ("backoff", float, 0),
    "max-backoff": ("max_backoff", float, 0),
    "poll-interval": ("poll_interval", float, 0),
    "poll-timeout": ("poll_timeout", float, 0.001),
    "concurrency": ("concurrency", int, 1),
}
_KEYS = ("api-base", "key-file", *_TUNING_KEYS)


@dataclass(frozen=True)
class UploadOptions:
    """Everything the uploader needs to know before it opens a connection."""

    api_base: str
    key: ApiKey | None
    org: str | None
    tuning: Tuning


def resolve(
    table: Any, root: Path, api_base: str | None, environ: Mapping[str, str] = os.environ
) -> UploadOptions:
    """Validate ``[tool.soundlint.upload]`` and merge it with the environment and the command
    line (``--api-base`` wins over ``AUDIOSTACK_API_BASE``, which wins over the file)."""
    if not isinstance(table, Mapping):
        raise ConfigError(f"{TABLE} must be a table, not {type_name(table)}")
    for key in table:
        if key not in _KEYS:
            guess = closest(key, _KEYS)
            hint = f"; did you mean '{guess}'?" if guess else f"; known keys: {', '.join(_KEYS)}"
            raise ConfigError(f"{TABLE}: unknown key '{key}'{hint}")
    configured = _string(table, "api-base")
    base = api_base or environ.get(BASE_VARIABLE) or configured or DEFAULT_API_BASE
    return UploadOptions(
        api_base=checked_base(base),
        key=_key(table, root, environ),
        org=environ.get(ORG_VARIABLE) or None,
        tuning=_tuning(table),
    )


def checked_base(url: str) -> str:
    """The API base without a trailing slash; refused unless https, or http to a loopback host."""
    try:
        parts = urlsplit(url)
        _ = parts.port  # parsing it is the check
    except ValueError as error:
        raise ConfigError(f"the API base is not a valid URL: '{url}' ({error})") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"the API base must be an https:// URL, not '{url}'")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ConfigError(f"the API base must be a plain URL without query or credentials: '{url}'")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise ConfigError(
            f"refusing to send the API key over plain http to {parts.hostname}; "
            "use https (http is allowed only to a loopback address such as 127.0.0.1)"
        )
    return url.rstrip("/")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _key(table: Mapping[str, Any], root: Path, environ: Mapping[str, str]) -> ApiKey | None:
    value = environ.get(KEY_VARIABLE, "").strip()
    if value:
        return ApiKey(value)
    key_file = _string(table, "key-file")
    if key_file is None:
        return None
    path = root / Path(key_file).expanduser()
    try:
        value = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) else "not UTF-8 text"
        raise ConfigError(f"{TABLE}: cannot read key-file {path}: {reason}") from None
    return ApiKey(value) if value else None


def _string(table: Mapping[str, Any], key: str) -> str | None:
    value = table.get(key)
    if value is not None and not isinstance(value, str):
        raise ConfigError(f"{TABLE}: '{key}' must be a string, not {type_name(value)}")
    return value


def _tuning(table: Mapping[str, Any]) -> Tuning:
    values: dict[str, Any] = {
        field: _number(table, key) for key, (field, *_) in _TUNING_KEYS.items() if key in table
    }
    return Tuning(**values)


def _number(table: Mapping[str, Any], key: str) -> float | int:
    _, kind, minimum = _TUNING_KEYS[key]
    value = table[key]
    wrong_type = isinstance(value, bool) or not isinstance(value, int | float)
    if wrong_type or (kind is int and not isinstance(value, int)):
        noun = "a whole number" if kind is int else "a number"
        raise ConfigError(f"{TABLE}: '{key}' must be {noun}, not {type_name(value)}")
    if not math.isfinite(value):
        raise ConfigError(f"{TABLE}: '{key}' must be a finite number, not {value}")
    if value < minimum:
        raise ConfigError(f"{TABLE}: '{key}' must be at least {minimum:g}, not {value}")
    return kind(value)
