"""Each project's own local modules while its plugins load.

In a monorepo two projects may keep modules of the same name next to their configurations: a
plugin, the helpers it imports. Python keeps one module per name, so while a project's local
plugins are imported, the other projects' local modules are taken out of ``sys.modules`` (their
plugins keep the module objects they already hold) and their folders out of ``sys.path``, the
project's own modules are put back, and its folder goes first. Afterwards the folder stays on
``sys.path`` last, behind soundlint's own dependencies, which a local module named like one of
them must not shadow (a plugin importing a helper inside a hook still finds it there).
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

_OWN: dict[Path, dict[str, ModuleType]] = {}
"""Per project folder, the modules imported from it (by name)."""


@contextlib.contextmanager
def importing_for(directory: Path) -> Iterator[None]:
    """Import within this block as the project in ``directory`` sees its modules."""
    directory = directory.resolve()
    others = [other for other in _OWN if other != directory]
    for other in others:
        for name, module in _OWN[other].items():
            if sys.modules.get(name) is module:
                del sys.modules[name]
    own = _OWN.setdefault(directory, {})
    sys.modules.update(own)
    entry = str(directory)
    hidden = {entry, *map(str, others)}
    saved = [path for path in sys.path if path != entry]
    sys.path[:] = [entry, *(path for path in saved if path not in hidden)]
    before = set(sys.modules)
    try:
        yield
    finally:
        for name in set(sys.modules) - before:
            if _imported_from(name, directory):
                own[name] = sys.modules[name]
        sys.path[:] = [*saved, entry]


def _imported_from(name: str, directory: Path) -> bool:
    """The module's top-level module or package is a file or folder of ``directory``."""
    stem = name.partition(".")[0]
    top = sys.modules.get(stem)
    origin = getattr(top, "__file__", None)
    if origin:
        return Path(origin).resolve() in (
            directory / f"{stem}.py",
            directory / stem / "__init__.py",
        )
    namespace = getattr(top, "__path__", None) or ()  # a folder without __init__.py
    return any(Path(path).resolve() == directory / stem for path in namespace)
