"""Glob patterns over '/'-separated relative paths, with '**' for any number of directories."""

from __future__ import annotations

import functools
import re


@functools.lru_cache(maxsize=256)
def _compile(pattern: str) -> re.Pattern[str]:
    parts: list[str] = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            parts.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            parts.append(".*")
            i += 2
        elif pattern[i] == "*":
            parts.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            parts.append("[^/]")
            i += 1
        else:
            parts.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(parts) + r"\Z")


def matches(pattern: str, relative_path: str) -> bool:
    """True when the path matches; a pattern with no '/' also matches the file's base name."""
    if _compile(pattern).match(relative_path):
        return True
    return "/" not in pattern and bool(_compile(pattern).match(relative_path.rsplit("/", 1)[-1]))


def matches_any(patterns: tuple[str, ...] | list[str], relative_path: str) -> bool:
    """True when a pattern matches the path, relative to the project root."""
    whole, base = _compile_any(tuple(patterns))
    if whole is not None and whole.match(relative_path):
        return True
    return base is not None and bool(base.match(relative_path.rsplit("/", 1)[-1]))


@functools.lru_cache(maxsize=64)
def _compile_any(
    patterns: tuple[str, ...],
) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
    """One expression for every pattern, and one for those matching base names too."""
    whole = _alternatives(patterns)
    base = _alternatives(tuple(pattern for pattern in patterns if "/" not in pattern))
    return whole, base


def _alternatives(patterns: tuple[str, ...]) -> re.Pattern[str] | None:
    if not patterns:
        return None
    return re.compile("|".join(f"(?:{_compile(pattern).pattern})" for pattern in patterns))
