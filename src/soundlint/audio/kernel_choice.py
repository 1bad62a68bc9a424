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


@dataclass(frozen=True)
class KernelChoice:
    extension: ModuleType | None
    """The compiled extension, when it imports."""
    fallback_reason: str | None
    """Why the numpy fallback runs; None when the extension does."""

    @property
    def name(self) -> str:
        return "numpy" if self.fallback_reason else "c"

    def describe(self) -> str:
        if self.fallback_reason is None:
            return f"compiled ({EXTENSION})"
        return f"numpy fallback, several times slower: {self.fallback_reason}"


def choose() -> KernelChoice:
    """The extension unless it fails to import or ``SOUNDLINT_KERNEL=numpy`` asks for the
    fallback."""
    try:
        extension = importlib.import_module(EXTENSION)
    except ImportError as error:
        return KernelChoice(None, _why_not(error))
    if os.environ.get(ENVIRONMENT_VARIABLE) == "numpy":
        return KernelChoice(extension, f"{ENVIRONMENT_VARIABLE}=numpy")
    return KernelChoice(extension, None)


def _why_not(error: ImportError) -> str:
    if isinstance(error, ModuleNotFoundError) and error.name == EXTENSION:
        return f"{EXTENSION} is not built (reinstall soundlint with a C compiler)"
    return f"{EXTENSION} failed to import: {error}"
