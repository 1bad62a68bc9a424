"""Which rules run, at what severity, and which findings the configuration filters out."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from soundlint import globs
from soundlint.config import ConfigFile, Settings
from soundlint.model import Diagnostic, Severity
from soundlint.paths import relative_path
from soundlint.rule import Rule


def _specificity(code: str, selectors: Iterable[str]) -> int:
    """Length of the longest selector matching the code; 'ALL' is 0; no match is -1."""
    best = -1
    for selector in selectors:
        if selector == "ALL":
            best = max(best, 0)
        elif code.startswith(selector):
            best = max(best, len(selector))
    return best


class RuleSelection:
    """The enabled rules, with their severities and options, under one Settings."""

    def __init__(self, rules: Mapping[str, Rule], settings: Settings) -> None:
        self.rules = rules
        self.settings = settings
        self.enabled_codes = frozenset(code for code in rules if self._is_enabled(code))

    def _is_enabled(self, code: str) -> bool:
        """Ruff's rule: each layer (profile, file, command line) starts from what the layer
        below chose, or from nothing when it has its own ``select``; within a layer the more
        specific selector wins, ``ignore`` on a tie."""
        enabled = self.rules[code].enabled_by_default
        for layer in self.settings.selection:
            if layer.select is not None:
                enabled = False
            chosen = _specificity(code, (*(layer.select or ()), *layer.extend_select))
            ignored = _specificity(code, layer.ignore)
            if chosen > ignored:
                enabled = True
            elif ignored >= 0:
                enabled = False
        return enabled

    def enabled(self, code: str) -> bool:
        return code in self.enabled_codes

    def severity(self, code: str) -> Severity:
        override = self.settings.severity.get(code)
        if override is not None:
            return override
        rule = self.rules.get(code)
        return rule.severity if rule else Severity.ERROR

    def options(self, code: str) -> Mapping[str, Any]:
        return self.settings.rule_options.get(code, {})

    def finish(self, diagnostic: Diagnostic, relative_path: str) -> Diagnostic | None:
        """Drop a finding the configuration filters out; otherwise give it its severity."""
        if diagnostic.code != "SL001":
            if not self.enabled(diagnostic.code):
                return None
            for pattern, codes in self.settings.per_file_ignores:
                if (
                    globs.matches(pattern, relative_path)
                    and _specificity(diagnostic.code, codes) >= 0
                ):
                    return None
        return replace(diagnostic, severity=self.severity(diagnostic.code))


def unmatched_per_file_ignores(settings: Settings, files: Iterable[Path]) -> tuple[str, ...]:
    """A warning for each per-file-ignores pattern that matches none of the project's
    ``files``: a typo there silently ignores nothing. Only a warning, since the files may have
    been deleted, be excluded, or exist only on some machines."""
    if not settings.per_file_ignores:
        return ()
    relative = [relative_path(path, settings.root) for path in files]
    label = ConfigFile(settings.config_file, settings.root).label
    return tuple(
        f"{label}: per-file-ignores: '{pattern}' matches no file of the project "
        f"(patterns are relative to {settings.root})"
        for pattern, _codes in settings.per_file_ignores
        if not any(globs.matches(pattern, path) for path in relative)
    )
