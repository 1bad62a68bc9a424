"""The built-in meter plugin: the streaming BS.1770 meter, or pyloudnorm on request."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from soundlint.config import ConfigError, Settings
from soundlint.hookspecs import hookimpl
from soundlint.model import Measurement

ENGINES = ("soundlint", "pyloudnorm")


@hookimpl
def soundlint_config_keys() -> Mapping[str, Any]:
    return {"loudness-engine": "soundlint"}


@hookimpl
def soundlint_configure(settings: Settings) -> None:
    from soundlint.audio import kernel_choice

    if problem := kernel_choice.environment_problem():
        raise ConfigError(problem)
    engine = settings.extra.get("loudness-engine")
    if engine not in ENGINES:
        raise ConfigError(
            f"{settings.config_label}: 'loudness-engine' must be one of {', '.join(ENGINES)}, "
            f"not {engine!r}"
        )


@hookimpl(trylast=True)
def soundlint_measure(path: Path, settings: Settings, needs: frozenset[str]) -> Measurement | None:
    from soundlint.audio import analyse

    if settings.extra.get("loudness-engine") == "pyloudnorm":
        return analyse.measure_file_pyloudnorm(path, measures=needs)
    return analyse.measure_file(path, measures=needs)
