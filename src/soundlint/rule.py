"""What a rule is: its code, name, default severity, documentation and options."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from soundlint.model import MEASURES, Segment, Severity
from soundlint.words import type_name

CODE_PATTERN = re.compile(r"^[A-Z]{2,3}[0-9]{3}$")
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Option:
    """A typed rule option; its type is the type of its default."""

    name: str
    default: Any
    description: str
    check: Callable[[Any], str | None] | None = None
    """Further validation of a value of the right type: why it is wrong, or None."""

    def validate(self, value: Any) -> str | None:
        """Return why ``value`` does not fit this option, or None when it does."""
        problem = self._validate_type(value) or _not_finite(value)
        if problem is None and self.check is not None:
            return self.check(value)
        return problem

    def _validate_type(self, value: Any) -> str | None:
        expected = type(self.default)
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            return None
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            return f"expected {type_name(self.default)}, got {type_name(value)}"
        if isinstance(value, list) and self.default:
            item_type = type(self.default[0])
            if not all(_fits(item, item_type) for item in value):
                return f"expected {type_name(self.default)}, got {type_name(value)}"
        if isinstance(value, dict) and self.default:
            entry = Option(self.name, next(iter(self.default.values())), self.description)
            for key, item in value.items():
                problem = entry.validate(item)
                if problem:
                    return f"{key}: {problem}"
        return None


@dataclass(frozen=True)
class Rule:
    """A lint rule. Its documentation uses ruff's fixed headings."""

    code: str
    name: str
    summary: str
    what: str
    why: str
    fix: str
    severity: Severity = Severity.ERROR
    example: str = ""
    options: tuple[Option, ...] = ()
    enabled_by_default: bool = True
    needs_audio: bool | frozenset[str] = False
    """What the rule reads of the decoded audio: a set of ``model.MEASURES`` ("decode",
    "loudness", "true-peak", "content", "loop-seam"); True for all of them, False for none."""
    reads_segment: Callable[[Segment, Mapping[str, Any]], bool] | None = None
    """Whether the rule, with these options, reads the measures of this segment (None: of
    every segment): the meter skips what no rule reads (AU005 reads only looping segments)."""

    def __post_init__(self) -> None:
        if not CODE_PATTERN.match(self.code):
            raise ValueError(f"rule code {self.code!r} does not match {CODE_PATTERN.pattern}")
        if not NAME_PATTERN.match(self.name):
            raise ValueError(f"rule name {self.name!r} is not kebab-case")
        if unknown := self.needs - set(MEASURES):
            raise ValueError(f"rule {self.code} needs unknown measures {sorted(unknown)}")

    def needs_for(self, segment: Segment, options: Mapping[str, Any]) -> frozenset[str]:
        """The measures the rule reads of ``segment``."""
        if self.reads_segment is not None and not self.reads_segment(segment, options):
            return frozenset()
        return self.needs

    @property
    def needs(self) -> frozenset[str]:
        """The measures the rule reads (see ``needs_audio``)."""
        if self.needs_audio is True:
            return frozenset(MEASURES)
        return frozenset(self.needs_audio or ())

    @property
    def defaults(self) -> dict[str, Any]:
        return {option.name: option.default for option in self.options}

    @property
    def doc(self) -> str:
        """The full documentation in Markdown."""
        parts = [
            f"# {self.code} ({self.name})",
            f"Default severity: {self.severity.value}"
            + ("" if self.enabled_by_default else "; off unless selected"),
            f"## What it checks\n{self.what.strip()}",
            f"## Why\n{self.why.strip()}",
        ]
        if self.example:
            parts.append(f"## Example\n{self.example.strip()}")
        parts.append(f"## How to fix\n{self.fix.strip()}")
        if self.options:
            lines = [
                f"- `{option.name}` (default `{_toml(option.default)}`): {option.description}"
                for option in self.options
            ]
            parts.append("## Options\n" + "\n".join(lines))
        return "\n\n".join(parts) + "\n"


def _toml(value: Any) -> str:
    """A default as it would be written in TOML."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{key} = {_toml(item)}" for key, item in value.items()) + " }"
    return str(value)


def at_least_zero(value: float) -> str | None:
    """An Option check: the value must not be negative."""
    return f"must be 0 or more, not {value}" if value < 0 else None


def non_empty(value: list[Any]) -> str | None:
    """An Option check for a list of what is allowed: an empty one would allow nothing."""
    return None if value else "must not be empty (to turn the rule off, ignore its code)"


def each_positive(value: list[float]) -> str | None:
    """An Option check for a list of quantities (depths in bits): each more than 0."""
    return next((f"each must be more than 0, not {v}" for v in value if v <= 0), None)


def positive_entries(value: list[float]) -> str | None:
    """An Option check for a list of allowed quantities (rates, channel counts): not empty,
    each more than 0."""
    return non_empty(value) or each_positive(value)


def _not_finite(value: Any) -> str | None:
    """Why a number in ``value`` (or nested in its lists and tables) is NaN or infinite."""
    if isinstance(value, float) and not math.isfinite(value):
        return f"expected a finite number, got {value}"
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    return next((problem for item in items if (problem := _not_finite(item))), None)


def _fits(value: Any, expected: type) -> bool:
    if expected is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if expected is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, expected)
