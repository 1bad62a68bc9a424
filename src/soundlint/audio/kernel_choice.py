"""Which implementation of the audio kernel runs, and why: the compiled extension, or the numpy
fallback. Decided without importing numpy (the extension needs none), so that
``soundlint --version`` can say it and stay fast."""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass
from types import ModuleType

ENVIRONMENT_VARIABLE = "SOUNDLINT_KERNEL"
EXTENSION = "soundlint.audio._kernel"
VALUES = ("c", "numpy")
"""What ``SOUNDLINT_KERNEL`` may be: require the extension, or choose the fallback."""


@dataclass(frozen=True)
class KernelChoice:
    extension: ModuleType | None
    """The compiled extension, when it imports."""
    fallback_reason: str | None
    """Why the numpy fallback runs; None when the extension does."""
    ignored: str | None = None
    """What is wrong with a ``SOUNDLINT_KERNEL`` value this choice ignores."""

    @property
    def name(self) -> str:
        return "numpy" if self.fallback_reason else "c"

    def describe(self) -> str:
        described = f"numpy fallback, several times slower: {self.fallback_reason}"
        if self.fallback_reason is None:
            described = f"compiled ({EXTENSION})"
        return f"{described}; {self.ignored}, ignored" if self.ignored else described


def choose() -> KernelChoice:
    """The extension unless it fails to import or ``SOUNDLINT_KERNEL=numpy`` asks for the
    fallback."""
    ignored = environment_problem()
    try:
        extension = importlib.import_module(EXTENSION)
    except ImportError as error:
        return KernelChoice(None, _why_not(error), ignored)
    if os.environ.get(ENVIRONMENT_VARIABLE) == "numpy":
        return KernelChoice(extension, f"{ENVIRONMENT_VARIABLE}=numpy")
    return KernelChoice(extension, None, ignored)


def environment_problem() -> str | None:
    """What is wrong with ``SOUNDLINT_KERNEL``, when it is set to a value not in ``VALUES``
    (empty counts as unset)."""
    value = os.environ.get(ENVIRONMENT_VARIABLE)
    if not value or value in VALUES:
        return None
    return f"{ENVIRONMENT_VARIABLE} must be {' or '.join(VALUES)} (or unset), not {value!r}"


def _why_not(error: ImportError) -> str:
    if isinstance(error, ModuleNotFoundError) and error.name == EXTENSION:
        return f"{EXTENSION} is not built (reinstall soundlint with a C compiler)"
    return f"{EXTENSION} failed to import: {error}"
