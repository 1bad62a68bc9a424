"""The built-in loaders: ``template.toml`` manifests, markup scripts, audio headers."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from soundlint import manifest as manifests
from soundlint.hookspecs import hookimpl
from soundlint.model import AudioInfo, Script, Template


@hookimpl
def soundlint_manifest_names() -> Iterable[str]:
    return [manifests.MANIFEST_NAME]


@hookimpl(trylast=True)
def soundlint_load_template(manifest: Path) -> Template | None:
    if manifest.name != manifests.MANIFEST_NAME:
        return None
    return manifests.load_template(manifest)


@hookimpl(trylast=True)
def soundlint_load_script(path: Path) -> Script | None:
    from soundlint.script import load_script

    return load_script(path)


@hookimpl(trylast=True)
def soundlint_read_audio_info(path: Path) -> AudioInfo | None:
    from soundlint.audio.header import read_info

    return read_info(path)
