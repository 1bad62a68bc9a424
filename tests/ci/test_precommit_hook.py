"""The pre-commit hook, run by the real pre-commit framework on a real git repository."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import write_template, write_wav

REPO = Path(__file__).resolve().parents[2]
SOUNDLINT = Path(sys.executable).with_name("soundlint")
PRE_COMMIT = shutil.which("pre-commit") or str(Path(sys.executable).with_name("pre-commit"))
GOOD = '<!-- soundlint: template=t -->\n<as:section soundSegment="main">Hi.</as:section>\n'

pytestmark = pytest.mark.skipif(
    not (Path(PRE_COMMIT).exists() and shutil.which("git") and SOUNDLINT.exists()),
    reason="needs git, pre-commit and an installed soundlint",
)


def _hook_config() -> str:
    """The published hook (.pre-commit-hooks.yaml) as a local hook running this soundlint."""
    yaml = pytest.importorskip("yaml", reason="PyYAML (a dependency of pre-commit) is missing")
    [hook] = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    hook |= {"entry": hook["entry"].replace("soundlint", str(SOUNDLINT), 1), "language": "system"}
    return yaml.safe_dump({"repos": [{"repo": "local", "hooks": [hook]}]})


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


def _pre_commit(repo: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    environment = os.environ | {"PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}
    return subprocess.run(
        [PRE_COMMIT, "run", "--all-files", "--color", "never"],
        cwd=repo,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository holding a template and a script beside files of other tools."""
    repo = tmp_path / "repo"
    write_template(repo / "sounds" / "t", {"main": "main.wav"})
    (repo / "scripts").mkdir()
    (repo / "scripts" / "promo.xml").write_text(GOOD)
    (repo / "package.json").write_text('{"name": "web", "version": "1.0.0"}\n')
    (repo / "docs").mkdir()
    (repo / "docs" / "notes.txt").write_text("not a script <b>at all\n")
    (repo / "pom.xml").write_text("<project><modelVersion>4.0.0</modelVersion></project>\n")
    write_wav(repo / "app" / "click.wav", seconds=0.1)  # a UI sound, in no template
    write_template(repo / "vendor" / "old", {"main": "gone.wav"}, audio=False, description="")
    (repo / "vendor" / "old" / "extra.wav").write_bytes(b"RIFF")
    (repo / "soundlint.toml").write_text('exclude = ["vendor"]\n')
    (repo / ".pre-commit-config.yaml").write_text(_hook_config())
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    return repo


def test_hook_passes_over_other_tools_files_and_excluded_ones(repo: Path, tmp_path: Path) -> None:
    done = _pre_commit(repo, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Passed" in done.stdout
    assert "warning" not in done.stdout + done.stderr


def test_hook_still_fails_on_findings(repo: Path, tmp_path: Path) -> None:
    (repo / "scripts" / "promo.xml").write_text(GOOD.replace('"main"', '"mian"'))
    _git(repo, "add", "-A")
    done = _pre_commit(repo, tmp_path)
    assert done.returncode == 1
    assert "scripts/promo.xml:2:" in done.stdout
    assert "SC002" in done.stdout
    assert "vendor" not in done.stdout


@pytest.mark.parametrize(
    ("path", "handed_over"),
    [
        ("sounds/t/template.toml", True),
        ("sounds/t/Main.WAV", True),
        ("soundlint.toml", True),
        ("pyproject.toml", True),
        ("rules/ours.toml", True),
        ("scripts/promo.xml", True),
        ("team/scripts/news/today.json", True),
        ("package.json", False),
        ("docs/notes.txt", False),
        ("pom.xml", False),
        ("web/i18n/strings.json", False),
    ],
)
def test_hook_pattern_hands_over_templates_scripts_and_configuration_only(
    path: str, handed_over: bool
) -> None:
    yaml = pytest.importorskip("yaml", reason="PyYAML (a dependency of pre-commit) is missing")
    [hook] = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert bool(re.search(hook["files"], path)) is handed_over
