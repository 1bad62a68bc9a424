"""Glob patterns: matching a list at once agrees with matching each pattern alone."""

from __future__ import annotations

import itertools

import pytest

from soundlint import globs

PATTERNS = [
    "**/scripts/**/*.xml",
    "*.json",
    "scripts/*.txt",
    "a?c.ssml",
    "docs/**",
    "weird+(name)[1].xml",
    "**/*.tmp.xml",
]
PATHS = [
    "scripts/a.xml",
    "x/scripts/deep/b.xml",
    "scriptsx/a.xml",
    "payload.json",
    "deep/dir/payload.json",
    "scripts/notes.txt",
    "scripts/sub/notes.txt",
    "abc.ssml",
    "dir/axc.ssml",
    "ac.ssml",
    "docs/anything/at/all",
    "weird+(name)[1].xml",
    "dir/weird+(name)[1].xml",
    "weirdX(name)1.xml",
    "a.tmp.xml",
    "/outside/root/scripts/c.xml",
]


@pytest.mark.parametrize("count", [0, 1, 2, 3, len(PATTERNS)])
def test_matches_any_agrees_with_each_pattern_alone(count: int) -> None:
    for patterns in itertools.combinations(PATTERNS, count):
        for path in PATHS:
            alone = any(globs.matches(pattern, path) for pattern in patterns)
            assert globs.matches_any(patterns, path) == alone, (patterns, path)


def test_a_pattern_without_a_slash_matches_base_names() -> None:
    assert globs.matches_any(["*.json"], "a/b/c.json")
    assert not globs.matches_any(["b/*.json"], "a/b/c.json")
    assert globs.matches_any(["**/b/*.json"], "a/b/c.json")
