"""soundlint upload: push the AudioStack templates that pass soundlint, whole or not at all."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from typing import Any

from soundlint import hookimpl

__version__ = "0.1.0"


@hookimpl
def soundlint_config_keys() -> Mapping[str, Any]:
    return {"upload": {}}


@hookimpl
def soundlint_add_commands(
    subparsers: argparse._SubParsersAction[Any], parents: list[argparse.ArgumentParser]
) -> None:
    from soundlint_audiostack import command

    command.add_parser(subparsers, parents)
