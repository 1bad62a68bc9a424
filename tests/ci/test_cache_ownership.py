"""Whose a cache directory is: check writes only into a cache of soundlint's making, and clean
removes only what soundlint wrote, whatever cache-dir, --cache-dir or $SOUNDLINT_CACHE_DIR
name (a cache-dir of '.' once made clean delete the project, .git and all)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from soundlint import cachedir
from soundlint.cachedir import GITIGNORE, MARKER, MARKER_NAME, TAG
from tests.conftest import write_template

OTHER_TOOLS_TAG = "Signature: 8a477f597d28d172789f06886806bc55\n# Created by another tool.\n"
ENTRY_OF_FORMAT_3 = {"sample_rate": 48000, "channels": 2, "frames": 480, "integrated_lufs": -20.0}
"""An entry as an older soundlint wrote it: fewer fields than today's."""


def _git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True)
    return done.stdout


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A committed git repository holding a template, a config file and a file of the user's."""
    root = tmp_path / "project"
    write_template(root / "sounds" / "a", level_db=-3.0)
    (root / "soundlint.toml").write_text("")
    (root / "notes").mkdir()
    (root / "notes" / "todo.txt").write_text("mix the intro\n")
    _git(root, "init", "-q")
    _commit(root)
    return root


def _commit(repo: Path) -> None:
    _git(repo, "add", "-A")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-qm", "-")


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A home directory whose ~/.cache holds other programs' caches (one with its own tag)."""
    home = tmp_path / "home"
    (home / ".cache" / "pip" / "http").mkdir(parents=True)
    (home / ".cache" / "pip" / "http" / "entry").write_bytes(b"pip's")
    (home / ".cache" / "fontconfig").mkdir()
    (home / ".cache" / "fontconfig" / "CACHEDIR.TAG").write_text(OTHER_TOOLS_TAG)
    (home / ".cache" / "CACHEDIR.TAG").write_text(OTHER_TOOLS_TAG)
    (home / ".cache" / "index.json").write_text('{"format": 1, "files": {}}')
    monkeypatch.setenv("HOME", str(home))
    return home


def _tree(*roots: Path) -> dict[str, bytes | str]:
    """Every file, directory and link under ``roots`` with its contents (git's own index,
    which ``git status`` refreshes, left out)."""
    found: dict[str, bytes | str] = {}
    for root in roots:
        for path in [root, *root.rglob("*")]:
            if path == root / ".git" / "index":
                continue
            if path.is_symlink():
                found[str(path)] = f"-> {os.readlink(path)}"
            elif path.is_dir():
                found[str(path)] = "dir"
            else:
                found[str(path)] = path.read_bytes()
    return found


def _status(repo: Path) -> str:
    return _git(repo, "status", "--porcelain", "--untracked-files=all")


def _one_error_line(err: str, *words: str) -> None:
    assert err.count("\n") == 1 and err.startswith("soundlint: error: "), err
    assert all(word in err for word in words), err


@pytest.mark.parametrize(
    ("setting", "option", "why"),
    [
        ('cache-dir = "."', (), "is the project root"),
        ("", ("--cache-dir", "."), "is the project root"),
        ("", ("--cache-dir", ".."), "is above the project root"),
        ('cache-dir = "notes"', (), "is not empty and not a soundlint cache"),
        ("", ("--cache-dir", "sounds/a"), "is not empty and not a soundlint cache"),
    ],
)
def test_a_cache_dir_naming_the_project_touches_nothing(
    project: Path, home: Path, run, check, setting: str, option: tuple[str, ...], why: str
) -> None:
    (project / "soundlint.toml").write_text(setting + "\n")
    _commit(project)
    status, before = _status(project), _tree(project.parent)
    checked = check(*option, cwd=project)
    assert checked.code == 2
    _one_error_line(checked.err, why, "cache directory")
    cleaned = run("clean", *option, cwd=project)
    assert cleaned.code == 2
    if "project root" in why:  # refused as check refuses it
        _one_error_line(cleaned.err, why, "cache directory")
    else:
        _one_error_line(cleaned.err, "is not a soundlint cache", "not removed")
    assert _tree(project.parent) == before
    assert _status(project) == status == ""


def test_a_shared_cache_directory_of_other_programs_is_left_alone(
    project: Path, home: Path, run, check, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOUNDLINT_CACHE_DIR", str(home / ".cache"))
    before = _tree(project.parent)
    checked = check(cwd=project)
    assert checked.code == 2
    _one_error_line(checked.err, str(home / ".cache"), "not empty and not a soundlint cache")
    cleaned = run("clean", cwd=project)
    assert cleaned.code == 2
    _one_error_line(cleaned.err, "not a soundlint cache")  # another tool's CACHEDIR.TAG
    assert _tree(project.parent) == before
    assert _status(project) == ""


def test_the_home_directory_is_refused_even_empty(
    project: Path, tmp_path: Path, run, check, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty_home = tmp_path / "empty-home"
    empty_home.mkdir()
    monkeypatch.setenv("HOME", str(empty_home))
    checked = check("--cache-dir", str(empty_home), cwd=project)
    assert checked.code == 2
    _one_error_line(checked.err, "is the home directory")
    assert not list(empty_home.iterdir())


def test_a_new_cache_keeps_git_status_and_clean_removes_it_whole(project: Path, run, check) -> None:
    assert check(cwd=project).code == 1
    cache = project / ".soundlint_cache"
    assert (cache / MARKER_NAME).read_text() == MARKER
    assert (cache / ".gitignore").read_text() == GITIGNORE
    assert _status(project) == ""
    cleaned = run("clean", cwd=project)
    assert (cleaned.code, cleaned.out) == (0, f"Removed the cache at {cache}\n")
    assert not cache.exists()
    assert _status(project) == ""


def test_a_cache_dir_under_the_home_directory_is_expanded(
    project: Path, home: Path, run, check
) -> None:
    (project / "soundlint.toml").write_text('cache-dir = "~/.cache/soundlint"\n')
    _commit(project)
    assert check(cwd=project).code == 1
    assert (home / ".cache" / "soundlint" / MARKER_NAME).read_text() == MARKER
    assert not (project / "~").exists()
    assert run("clean", cwd=project).code == 0
    assert not (home / ".cache" / "soundlint").exists()
    assert _status(project) == ""


def test_clean_leaves_what_soundlint_did_not_write(
    project: Path, tmp_path: Path, run, check
) -> None:
    assert check(cwd=project).code == 1
    cache = project / ".soundlint_cache"
    outside = tmp_path / "outside"
    shard = next((cache / "measurements").iterdir()).name
    (outside / shard).mkdir(parents=True)
    entry_name = shard + "0" * 62 + ".json"
    (outside / shard / entry_name).write_text("{}")  # named like an entry, not in the cache
    (cache / "mine.txt").write_text("a file of the user's\n")
    (cache / "linked").symlink_to(outside)
    (cache / "measurements" / shard / "notes.txt").write_text("the user's\n")
    (cache / "measurements" / "ff").symlink_to(outside / shard)
    kept = {path: path.read_bytes() for path in outside.rglob("*") if path.is_file()}
    cleaned = run("clean", cwd=project)
    assert cleaned.code == 0
    assert cleaned.out.startswith(f"Removed soundlint's files from {cache}; left what soundlint")
    for name in ("linked", "measurements/ff", f"measurements/{shard}/notes.txt", "mine.txt"):
        assert name in cleaned.out
    left = sorted(str(path.relative_to(cache)) for path in cache.rglob("*"))
    entries = f"measurements/{shard}"
    expected = ["linked", "measurements", "measurements/ff", entries, f"{entries}/notes.txt"]
    assert left == sorted([*expected, "mine.txt"])
    assert {path: path.read_bytes() for path in outside.rglob("*") if path.is_file()} == kept


def test_an_older_soundlints_cache_is_used_and_cleaned(project: Path, run, check) -> None:
    cache = project / ".soundlint_cache"
    (cache / "measurements" / "ab").mkdir(parents=True)
    (cache / "CACHEDIR.TAG").write_text(TAG)
    (cache / ".gitignore").write_text(GITIGNORE)
    (cache / "index.json").write_text(json.dumps({"format": 4, "files": {}}))
    (cache / "index.lock").touch()
    (cache / "measurements" / "ab" / ("ab" + "1" * 62 + ".json")).write_text(
        json.dumps(ENTRY_OF_FORMAT_3)
    )
    assert check(cwd=project).code == 1
    assert (cache / MARKER_NAME).read_text() == MARKER  # marked as soundlint's from now on
    assert run("clean", cwd=project).code == 0
    assert not cache.exists()


def test_clean_undoes_an_older_soundlints_stamp_on_the_project_root(
    project: Path, run, check
) -> None:
    """What `cache-dir = "."` did before: the root tagged, and every new file hidden from git.
    check still refuses the root; clean takes away soundlint's files there, and only them."""
    (project / "soundlint.toml").write_text('cache-dir = "."\n')
    _commit(project)
    (project / "CACHEDIR.TAG").write_text(TAG)
    (project / ".gitignore").write_text(GITIGNORE)
    (project / "index.json").write_text(json.dumps({"format": 5, "files": {}}))
    (project / "measurements" / "cd").mkdir(parents=True)
    (project / "measurements" / "cd" / ("cd" + "2" * 62 + ".json")).write_text(
        json.dumps(ENTRY_OF_FORMAT_3)
    )
    (project / "new.txt").write_text("hidden from git by the stamp\n")
    assert _status(project) == ""
    assert check(cwd=project).code == 2
    cleaned = run("clean", cwd=project)
    assert cleaned.code == 0
    assert "left what soundlint did not write: .git, new.txt, notes" in cleaned.out
    assert sorted(path.name for path in project.iterdir()) == [
        ".git",
        "new.txt",
        "notes",
        "soundlint.toml",
        "sounds",
    ]
    assert _status(project) == "?? new.txt\n"


def test_an_empty_directory_becomes_a_cache_without_a_gitignore(
    project: Path, tmp_path: Path, run, check
) -> None:
    cache = tmp_path / "made-by-the-user"
    cache.mkdir()
    assert check("--cache-dir", str(cache), cwd=project).code == 1
    assert (cache / MARKER_NAME).is_file() and (cache / "CACHEDIR.TAG").is_file()
    assert not (cache / ".gitignore").exists()
    cleaned = run("clean", "--cache-dir", str(cache), cwd=project)
    assert cleaned.code == 0
    assert "the directory stays" in cleaned.out
    assert cache.is_dir() and not list(cache.iterdir())


def test_a_cache_dir_that_is_a_symlink(project: Path, tmp_path: Path, run, check) -> None:
    target = tmp_path / "fast-disk" / "cache"
    target.mkdir(parents=True)
    link = project / ".soundlint_cache"
    link.symlink_to(target)
    assert check(cwd=project).code == 1
    assert (target / MARKER_NAME).is_file()
    assert run("clean", cwd=project).code == 0
    assert link.is_symlink() and target.is_dir() and not list(target.iterdir())
    link.unlink()
    link.symlink_to(project / "notes")  # to a directory of the user's: refused
    assert check(cwd=project).code == 2
    link.unlink()
    link.symlink_to(project)  # to the project root itself
    checked = check(cwd=project)
    assert checked.code == 2 and "is the project root" in checked.err
    link.unlink()
    link.symlink_to(tmp_path / "nowhere")
    checked = check(cwd=project)
    assert checked.code == 2 and "symbolic link to nothing" in checked.err
    assert not (tmp_path / "nowhere").exists()


def test_clean_of_a_directory_that_does_not_exist(project: Path, run) -> None:
    cleaned = run("clean", "--cache-dir", "missing/deeper", cwd=project)
    assert (cleaned.code, cleaned.out) == (0, f"No cache at {project / 'missing/deeper'}\n")
    assert not (project / "missing").exists()


def test_an_unwritable_cache_is_a_warning_and_the_run_goes_on(project: Path, run, check) -> None:
    fresh = check("--no-cache", cwd=project)
    (project / "blocker").write_text("a file where the cache's parent would be\n")
    blocked = check("--cache-dir", "blocker/cache", cwd=project)
    assert (blocked.code, blocked.out) == (1, fresh.out)
    assert blocked.err.count("\n") == 1
    assert blocked.err.startswith(f"soundlint: warning: cannot write the cache at {project}")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes whatever the permissions")
def test_a_read_only_cache_is_a_warning(project: Path, check) -> None:
    assert check(cwd=project).code == 1
    write_template(project / "sounds" / "b", level_db=-4.0)  # something new to keep
    cache = project / ".soundlint_cache"
    cache.chmod(0o555)
    try:
        again = check(cwd=project)
    finally:
        cache.chmod(0o755)
    assert again.code == 1
    assert again.err.startswith("soundlint: warning: cannot write the cache at")


def test_a_marker_on_its_way_in_is_another_runs_new_cache(tmp_path: Path) -> None:
    """Two runs creating the same cache at once: the second sees the first's marker being
    written (its temporary file), and takes the directory for the empty one it is."""
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / f".{MARKER_NAME}.a1b2c3d4").write_text(MARKER[:10])
    assert cachedir.kind(cache) is cachedir.Kind.EMPTY
    cachedir.claim(cache)
    assert cachedir.kind(cache) is cachedir.Kind.OURS


def _user_folder(tmp_path: Path) -> Path:
    """A folder of the user's outside the project, holding a file."""
    folder = tmp_path / "user-folder"
    folder.mkdir()
    (folder / "photo.txt").write_text("the user's\n")
    return folder


@pytest.mark.parametrize("linked", ["measurements", "shard"])
def test_check_writes_no_entry_through_a_symlinked_folder(
    project: Path, tmp_path: Path, run, check, linked: str
) -> None:
    """The entries folder or a shard folder replaced by a link to a folder of the user's: the
    run warns once, writes nothing there, and clean leaves the link, naming it."""
    fresh = check("--no-cache", cwd=project)
    assert check(cwd=project).code == 1
    entries = project / ".soundlint_cache" / "measurements"
    folder = entries / next(entries.iterdir()).name if linked == "shard" else entries
    shutil.rmtree(folder)
    user = _user_folder(tmp_path)
    folder.symlink_to(user)
    before = _tree(user)
    again = check(cwd=project)
    assert (again.code, again.out) == (1, fresh.out)
    assert again.err.count("\n") == 1, again.err
    assert again.err.startswith("soundlint: warning: cannot write the cache at")
    assert "is a symbolic link" in again.err and "not kept" in again.err
    assert _tree(user) == before
    cleaned = run("clean", cwd=project)
    assert cleaned.code == 0
    assert str(folder.relative_to(project / ".soundlint_cache")) in cleaned.out
    assert folder.is_symlink() and _tree(user) == before


def test_eviction_removes_no_file_of_the_users(project: Path, tmp_path: Path, check) -> None:
    """Past the cache's bound, the oldest entries go: never through a link, nor a file that is
    not named as an entry."""
    (project / "soundlint.toml").write_text("cache-max-mb = 1\n")
    assert check(cwd=project).code == 1
    entries = project / ".soundlint_cache" / "measurements"
    user = _user_folder(tmp_path)
    (entries / "00").mkdir(exist_ok=True)
    old = [user / "big.json", entries / "00" / "notes.json", entries / "00" / ("0" * 64 + ".json")]
    for age, path in enumerate(old):  # older than any entry, the user's oldest
        path.write_bytes(b" " * 600_000)
        os.utime(path, ns=(10**18 + age, 10**18 + age))
    (entries / "ff").symlink_to(user)
    write_template(project / "sounds" / "b", level_db=-4.0)  # something new to keep
    before = _tree(user)
    assert check(cwd=project).code == 1
    assert _tree(user) == before
    assert (entries / "00" / "notes.json").is_file()


def test_the_lock_is_not_taken_through_a_link(project: Path, tmp_path: Path, check) -> None:
    assert check(cwd=project).code == 1
    cache = project / ".soundlint_cache"
    outside = tmp_path / "outside.lock"
    (cache / "index.lock").unlink()
    (cache / "index.lock").symlink_to(outside)
    write_template(project / "sounds" / "b", level_db=-4.0)
    assert check(cwd=project).code == 1
    assert not outside.exists()


@pytest.mark.parametrize(
    "content",
    [b"my notes\n", b"{}", b'{"sample_rate": 48000, "name": "mine"}', b"[1, 2]", b"\xff\xfe"],
)
def test_clean_leaves_a_file_named_as_an_entry_holding_something_else(
    project: Path, run, check, content: bytes
) -> None:
    assert check(cwd=project).code == 1
    cache = project / ".soundlint_cache"
    shard = cache / "measurements" / "ab"
    shard.mkdir(exist_ok=True)
    mine, older = shard / ("ab" + "0" * 62 + ".json"), shard / ("ab" + "1" * 62 + ".json")
    mine.write_bytes(content)
    older.write_text(json.dumps(ENTRY_OF_FORMAT_3))
    cleaned = run("clean", cwd=project)
    assert cleaned.code == 0
    assert f"left what soundlint did not write: measurements/ab/{mine.name}\n" in cleaned.out
    left = sorted(str(path.relative_to(cache)) for path in cache.rglob("*"))
    assert left == ["measurements", "measurements/ab", f"measurements/ab/{mine.name}"]
    assert mine.read_bytes() == content


@pytest.mark.parametrize(
    ("cache_dir", "why"),
    [
        ("x/../.", "is the project root"),
        ("x/../..", "is above the project root"),
        ("x/../../project", "is the project root"),
    ],
)
def test_clean_refuses_what_check_refuses_before_anything_else(
    project: Path, run, check, cache_dir: str, why: str
) -> None:
    (project / "soundlint.toml").write_text(f'cache-dir = "{cache_dir}"\n')
    _commit(project)
    before = _tree(project.parent)
    checked = check(cwd=project)
    assert checked.code == 2
    _one_error_line(checked.err, why)
    cleaned = run("clean", cwd=project)
    assert cleaned.code == 2
    _one_error_line(cleaned.err, why)
    assert _tree(project.parent) == before


@pytest.mark.parametrize("where", ["/", "~"])
def test_clean_refuses_the_root_and_the_home_directory(
    project: Path, home: Path, run, where: str
) -> None:
    before = _tree(home)
    cleaned = run("clean", "--cache-dir", os.path.expanduser(where), cwd=project)
    assert cleaned.code == 2
    _one_error_line(cleaned.err, "is above the project root" if where == "/" else "is the home")
    assert _tree(home) == before


def test_a_path_through_a_missing_folder_is_taken_as_check_takes_it(
    project: Path, run, check
) -> None:
    """cache-dir = "x/../cache" with no x names the project's cache: check makes no x, and
    clean finds what check wrote."""
    (project / "soundlint.toml").write_text('cache-dir = "x/../cache"\n')
    _commit(project)
    assert check(cwd=project).code == 1
    assert (project / "cache" / MARKER_NAME).is_file()
    assert not (project / "x").exists()
    cleaned = run("clean", cwd=project)
    assert (cleaned.code, cleaned.out) == (0, f"Removed the cache at {project / 'cache'}\n")
    assert not (project / "cache").exists() and not (project / "x").exists()


def test_clean_removes_the_empty_folders_check_made_for_the_cache(
    project: Path, run, check
) -> None:
    (project / "soundlint.toml").write_text('cache-dir = "notes/a/b/cache"\n')
    _commit(project)
    assert check(cwd=project).code == 1
    assert (project / "notes" / "a" / "b" / "cache" / MARKER_NAME).is_file()
    cleaned = run("clean", cwd=project)
    assert cleaned.code == 0
    made = f"{project / 'notes' / 'a' / 'b'}, {project / 'notes' / 'a'}"
    assert cleaned.out == (
        f"Removed the cache at {project / 'notes/a/b/cache'}, and the folders made for it: {made}\n"
    )
    assert sorted(path.name for path in (project / "notes").iterdir()) == ["todo.txt"]
    assert _status(project) == ""


def test_clean_keeps_a_folder_it_made_that_holds_something_or_was_replaced(
    project: Path, run, check
) -> None:
    (project / "soundlint.toml").write_text('cache-dir = "a/b/c/cache"\n')
    _commit(project)
    assert check(cwd=project).code == 1
    (project / "a" / "mine.txt").write_text("the user's\n")  # a: no longer empty
    (project / "a" / "b").rename(project / "a" / "old")  # b: a new folder of the same name
    (project / "a" / "b").mkdir()
    (project / "a" / "old" / "c").rename(project / "a" / "b" / "c")
    (project / "a" / "old").rmdir()
    cleaned = run("clean", cwd=project)
    assert cleaned.code == 0
    assert cleaned.out.startswith(f"Removed the cache at {project / 'a/b/c/cache'}, and the ")
    assert cleaned.out.endswith(f" made for it: {project / 'a/b/c'}\n")
    assert sorted(str(p.relative_to(project)) for p in (project / "a").rglob("*")) == [
        "a/b",
        "a/mine.txt",
    ]


def test_clean_keeps_the_folders_of_a_cache_it_did_not_make(
    project: Path, tmp_path: Path, run, check
) -> None:
    cache = tmp_path / "made" / "by" / "the-user"
    cache.mkdir(parents=True)  # empty: check makes it its cache, but did not create it
    assert check("--cache-dir", str(cache), cwd=project).code == 1
    assert run("clean", "--cache-dir", str(cache), cwd=project).code == 0
    assert cache.is_dir() and not list(cache.iterdir())


def test_a_record_of_made_folders_holding_something_else_is_left(project: Path, run, check) -> None:
    (project / "soundlint.toml").write_text('cache-dir = "a/cache"\n')
    _commit(project)
    assert check(cwd=project).code == 1
    record = project / "a" / "cache" / "made.json"
    record.write_text('{"made": [["a", "not an inode"]]}')
    cleaned = run("clean", cwd=project)
    assert cleaned.code == 0
    assert cleaned.out.endswith("left what soundlint did not write: made.json\n")
    assert record.is_file()
