"""What the command line's front ends share below ``cli``: argparse value types and the usage
error (one line on stderr, exit status 2), for ``cli``, the commands of ``audio`` and
``ci_options``, and plugins' commands."""

from __future__ import annotations

import argparse
from pathlib import Path


class UsageError(Exception):
    """A mistake on the command line: one line on stderr, exit status 2."""


def positive(value: str) -> int:
    """An argparse type: a whole number of 1 or more."""
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, got {value!r}")
    return int(value)


def path_value(value: str) -> Path:
    """An argparse type: a path, not empty (an unset variable's value would otherwise stand
    for the current directory)."""
    if not value:
        raise argparse.ArgumentTypeError("an empty value is not a path")
    return Path(value)
