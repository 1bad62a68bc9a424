"""soundlint upload: push the AudioStack templates that pass soundlint, whole or not at all."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from soundlint import hookimpl

if TYPE_CHECKING:
    from soundlint.api import Session

__version__ = "0.1.0"


@hookimpl
def soundlint_config_keys() -> Mapping[str, Any]:
    return {"upload": {}}


_HELP = (
    "Lint the templates under each PATH (default: the current directory) as `soundlint check` "
    "does, then upload to AudioStack each template with no error, whole or not at all. Exit "
    "status: 0 every template uploaded, replaced, adopted or unchanged; 1 some blocked by lint, "
    "or by a template of the same name on the server not recorded in .soundlint/uploads.json; "
    "2 usage or configuration error, the key refused, the network, a proxy or the API failing; "
    "3 a template left broken on the server."
)


@hookimpl
def soundlint_add_commands(
    subparsers: argparse._SubParsersAction[Any], parents: list[argparse.ArgumentParser]
) -> None:
    from soundlint.arguments import positive

    parser = subparsers.add_parser(
        "upload", parents=parents, help="upload the templates that pass", description=_HELP
    )
    parser.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="templates or directories to lint and upload (default: the current directory)",
    )
    preview = parser.add_mutually_exclusive_group()
    preview.add_argument(
        "--dry-run",
        action="store_true",
        help="print the requests it would make, from the state file alone; connect to nothing",
    )
    preview.add_argument(
        "--plan",
        action="store_true",
        help="read the server's listing (GET only) and print what an upload would do",
    )
    parser.add_argument(
        "--replace",
        action="store_true",
        help="delete and re-create templates of the same name not recorded as this project's",
    )
    parser.add_argument(
        "--adopt",
        action="append",
        default=[],
        metavar="NAME",
        help="record the server's template NAME as this project's, without sending it (repeatable)",
    )
    parser.set_defaults(progress="auto")
    parser.add_argument(
        "--progress",
        action="store_const",
        const="always",
        help="show progress on stderr even when it is not a terminal: a line for each step of "
        "the analysis and the upload, for CI logs",
    )
    parser.add_argument(
        "--no-progress",
        dest="progress",
        action="store_const",
        const="never",
        help="never show progress (by default: on a terminal)",
    )
    parser.add_argument(
        "--output-format",
        choices=["text", "json"],
        default="text",
        help="the report's format (default: text)",
    )
    parser.add_argument(
        "--api-base", metavar="URL", help="the API's base URL (default https://v2.api.audio)"
    )
    parser.add_argument("-j", "--jobs", type=positive, metavar="N", help="audio analysis processes")
    parser.add_argument("--no-cache", action="store_true", help="measure audio afresh")
    parser.set_defaults(handler=_upload)


def _upload(args: argparse.Namespace, session: Session) -> int:
    from soundlint_audiostack import command  # only now: other commands need none of it

    return command.run(args, session)
