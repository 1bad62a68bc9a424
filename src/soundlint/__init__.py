"""soundlint: lint AudioStack sound design templates and scripts before they are uploaded."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "CheckContext",
    "Diagnostic",
    "Option",
    "Rule",
    "Script",
    "Segment",
    "Severity",
    "Template",
    "__version__",
    "hookimpl",
    "lint",
]

if TYPE_CHECKING:
    from soundlint.api import lint
    from soundlint.engine import CheckContext
    from soundlint.hookspecs import hookimpl
    from soundlint.model import Diagnostic, Script, Segment, Severity, Template
    from soundlint.rule import Option, Rule

_EXPORTS = {
    "lint": "soundlint.api",
    "hookimpl": "soundlint.hookspecs",
    "CheckContext": "soundlint.engine",
    "Diagnostic": "soundlint.model",
    "Script": "soundlint.model",
    "Segment": "soundlint.model",
    "Severity": "soundlint.model",
    "Template": "soundlint.model",
    "Option": "soundlint.rule",
    "Rule": "soundlint.rule",
}


def __getattr__(name: str) -> Any:
    """Import the public API on first use, so that ``soundlint --version`` stays fast."""
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'soundlint' has no attribute {name!r}")
