"""Cache control: --cache-dir, soundlint clean, CACHEDIR.TAG, concurrency, bounds, fresh clones."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from soundlint.audio import analyse
from soundlint.cache import MeasurementCache, hash_file
from soundlint.cachedir import MARKER, MARKER_NAME
from soundlint.model import Measurement
from tests.conftest import write_template, write_wav

MEASUREMENT = Measurement(sample_rate=48000, channels=2, frames=100, integrated_lufs=-20.0)


@pytest.fixture
def library(tmp_path: Path) -> Path:
    root = tmp_path / "library"
    for number, name in enumerate(("a", "b", "c")):
        write_template(root / name, level_db=-3.0 - number)
    return root


def _contents(root: Path) -> int:
    """How many different audio files there are (the cache keeps one entry for each)."""
    return len({wav.read_bytes() for wav in root.rglob("*.wav")})


def _entries(cache: Path) -> list[Path]:
    return sorted(cache.glob("measurements/*/*.json"))


def test_cache_dir_option_and_cachedir_tag(library: Path, tmp_path: Path, check) -> None:
    result = check("--cache-dir", "../shared-cache", cwd=library)
    assert result.code == 1
    cache = tmp_path / "shared-cache"
    assert (
        (cache / "CACHEDIR.TAG")
        .read_text()
        .startswith("Signature: 8a477f597d28d172789f06886806bc55")
    )
    assert (cache / ".gitignore").read_text().endswith("*\n")
    assert len(_entries(cache)) == _contents(library) == 3
    assert not (library / ".soundlint_cache").exists()


def test_clean_removes_the_cache(library: Path, run, check) -> None:
    check(cwd=library)
    assert (library / ".soundlint_cache").is_dir()
    removed = run("clean", cwd=library)
    assert removed.code == 0
    assert "Removed the cache" in removed.out
    assert not (library / ".soundlint_cache").exists()
    again = run("clean", cwd=library)
    assert (again.code, again.out.startswith("No cache at")) == (0, True)


def test_clean_honours_the_config_and_the_option(library: Path, run, check) -> None:
    (library / "soundlint.toml").write_text('cache-dir = "build/lint-cache"\n')
    check(cwd=library)
    assert (library / "build" / "lint-cache" / "CACHEDIR.TAG").is_file()
    check("--cache-dir", "other", cwd=library)
    assert run("clean", "--cache-dir", "other", cwd=library).code == 0
    assert not (library / "other").exists()
    assert (library / "build" / "lint-cache").exists()
    assert run("clean", cwd=library).code == 0
    assert not (library / "build" / "lint-cache").exists()


def test_cache_dir_from_the_environment(library: Path, run, check, monkeypatch) -> None:
    monkeypatch.setenv("SOUNDLINT_CACHE_DIR", "env-cache")
    check(cwd=library)
    assert (library / "env-cache" / "CACHEDIR.TAG").is_file()
    check("--cache-dir", "option-cache", cwd=library)  # the option wins
    assert (library / "option-cache" / "CACHEDIR.TAG").is_file()
    assert run("clean", cwd=library).code == 0
    assert not (library / "env-cache").exists()
    assert not (library / ".soundlint_cache").exists()


def test_clean_refuses_a_directory_that_is_not_a_cache(library: Path, run) -> None:
    (library / "soundlint.toml").write_text('cache-dir = "a"\n')  # a template, by mistake
    result = run("clean", cwd=library)
    assert result.code == 2
    assert "not a soundlint cache" in result.err
    assert (library / "a" / "template.toml").is_file()


def test_warm_rerun_after_a_fresh_clone_decodes_nothing(
    library: Path, tmp_path: Path, check, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = check("-j", "1", "--cache-dir", str(tmp_path / "cache"), cwd=library)
    clone = tmp_path / "clone"
    shutil.copytree(library, clone, copy_function=shutil.copyfile)  # new inodes and mtimes
    for wav in clone.rglob("*.wav"):
        os.utime(wav, ns=(2_000_000_000_000_000_000, 2_000_000_000_000_000_000))

    def no_decoding(path: Path) -> Measurement:
        raise AssertionError(f"decoded {path}")

    monkeypatch.setattr(analyse, "measure_file", no_decoding)
    second = check("-j", "1", "--cache-dir", str(tmp_path / "cache"), cwd=clone)
    assert second.json == first.json


def test_index_updates_of_two_runs_are_merged(tmp_path: Path) -> None:
    one, two = write_wav(tmp_path / "one.wav"), write_wav(tmp_path / "two.wav", seconds=2.0)
    cache = tmp_path / "cache"
    first = MeasurementCache(cache, "meter", 1 << 20)
    second = MeasurementCache(cache, "meter", 1 << 20)  # read the index before first saved
    first.put(one, MEASUREMENT)
    second.put(two, MEASUREMENT)
    first.save()
    second.save()
    index = json.loads((cache / "index.json").read_text())["files"]
    assert set(index) == {str(one), str(two)}


def test_an_index_of_another_format_is_not_trusted(tmp_path: Path) -> None:
    audio = write_wav(tmp_path / "one.wav")
    cache = tmp_path / "cache"
    first = MeasurementCache(cache, "meter", 1 << 20)
    first.put(audio, MEASUREMENT)
    first.save()
    index = json.loads((cache / "index.json").read_text())
    # What an older soundlint left: the same size and mtime, a digest of another hash.
    index["format"] -= 1
    index["files"][str(audio)][-1] = "0" * 64
    (cache / "index.json").write_text(json.dumps(index))
    reopened = MeasurementCache(cache, "meter", 1 << 20)
    assert reopened.get(audio) is None  # not found by the stat index: hashed again
    digest = hash_file(audio)
    assert digest is not None and reopened.entry(digest) == MEASUREMENT


def test_two_processes_sharing_a_cache(library: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    for number in range(4):
        write_template(library / f"extra{number}", level_db=-6.0 - number)
    command = [sys.executable, "-m", "soundlint", "check", "-j", "1", "--cache-dir", str(cache)]
    runs = [
        subprocess.Popen(command, cwd=library, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(3)
    ]
    outputs = [process.communicate(timeout=300) for process in runs]
    assert [process.returncode for process in runs] == [1, 1, 1]
    assert all(err == b"" for _, err in outputs)
    assert outputs[0][0] == outputs[1][0] == outputs[2][0]
    entries = _entries(cache)
    assert len(entries) == _contents(library) == 7
    for entry in entries:
        assert json.loads(entry.read_text())["sample_rate"] == 48000
    index = json.loads((cache / "index.json").read_text())["files"]
    assert {Path(path).name for path in index} == {"intro.wav", "main.wav"}
    assert len(index) == 14
    assert not [p for p in cache.rglob(".*") if p.name not in (".gitignore",)]


def test_cache_is_bounded_and_the_oldest_entries_go(library: Path, check) -> None:
    (library / "soundlint.toml").write_text("cache-max-mb = 1\n")
    stale = library / ".soundlint_cache" / "measurements" / "00"
    stale.mkdir(parents=True)
    (library / ".soundlint_cache" / MARKER_NAME).write_text(MARKER)  # a cache, not a stranger
    for age in range(6):  # 6 x 300 kB of old entries, the oldest first
        entry = stale / f"{age:064d}.json"
        entry.write_bytes(b" " * 300_000)
        os.utime(entry, ns=(10**18 + age, 10**18 + age))
    assert check(cwd=library).code == 1
    left = _entries(library / ".soundlint_cache")
    assert sum(entry.stat().st_size for entry in left) <= 1 << 20
    kept = [entry.name for entry in left if entry.parent == stale]
    assert kept == [f"{age:064d}.json" for age in range(6)][-len(kept) :]
    assert len(left) - len(kept) == _contents(library)  # this run's entries stay


def test_cache_max_mb_must_be_positive(library: Path, check) -> None:
    (library / "soundlint.toml").write_text("cache-max-mb = 0\n")
    result = check(cwd=library)
    assert result.code == 2
    assert "cache-max-mb" in result.err
