"""`soundlint check` for action.yml's steps: the options given here, then the action's `args`
and `paths` inputs (from $SOUNDLINT_ARGS and $SOUNDLINT_PATHS) split into words as a POSIX
shell splits them, quotes and backslashes included, but never evaluated: no variables, no
commands, no globs. Exits with soundlint's status; 2 when an input cannot be split."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys


def words(variable: str) -> list[str]:
    """The words of an input, as `sh` would split them."""
    try:
        return shlex.split(os.environ.get(variable, ""))
    except ValueError as error:  # an unclosed quote, a trailing backslash
        print(f"soundlint action: error: ${variable}: {error}", file=sys.stderr)
        raise SystemExit(2) from None


def main() -> int:
    arguments = [*sys.argv[1:], *words("SOUNDLINT_ARGS"), *words("SOUNDLINT_PATHS")]
    status = subprocess.call([sys.executable, "-m", "soundlint", "check", *arguments])
    return 128 - status if status < 0 else status  # killed by a signal: as a shell says it


if __name__ == "__main__":
    sys.exit(main())
