"""Each project's own local modules while its plugins load.

In a monorepo two projects may keep modules of the same name next to their configurations: a
plugin, the helpers it imports. Python keeps one module per name, so while a project's local
plugins are imported, the local modules of the other projects are taken out of
``sys.modules`` (their plugins keep the module objects they already hold), the project's own
are put back, and its directory goes first on ``sys.path``.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

_OWN: dict[Path, dict[str, ModuleType]] = {}
"""Per project directory, the modules imported from it (by name)."""


@contextlib.contextmanager
def importing_for(directory: Path) -> Iterator[None]:
    """Import within this block as the project in ``directory`` sees its modules."""
    directory = directory.resolve()
    for other, modules in _OWN.items():
        if other != directory:
            for name, module in modules.items():
                if sys.modules.get(name) is module:
                    del sys.modules[name]
    own = _OWN.setdefault(directory, {})
    sys.modules.update(own)
    entry = str(directory)
    if entry in sys.path:
        sys.path.remove(entry)
    sys.path.insert(0, entry)
    before = set(sys.modules)
    try:
        yield
    finally:
        for name in set(sys.modules) - before:
            if _imported_from(name, directory):
                own[name] = sys.modules[name]


def _imported_from(name: str, directory: Path) -> bool:
    """The module's top-level module or package is a file or folder of ``directory``."""
    top = name.partition(".")[0]
    origin = getattr(sys.modules.get(top), "__file__", None)
    if not origin:
        return False
    path = Path(origin).resolve()
    return path in (directory / f"{top}.py", directory / top / "__init__.py")
