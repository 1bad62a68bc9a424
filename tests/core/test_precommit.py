"""The pre-commit gate, through the real pre-commit framework and real commits: whatever a
commit changes, the hook reports what that change broke elsewhere in the project."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import write_template

pytest.importorskip("pre_commit", reason="the pre-commit framework is not installed")

CHECKOUT = Path(__file__).resolve().parents[2]
SCRIPT = '<as:section soundSegment="main">x</as:section>\n'


def _hook_config() -> str:
    """This checkout's hook definition, as a local hook running this interpreter."""
    import yaml  # pre-commit depends on PyYAML

    (hook,) = yaml.safe_load((CHECKOUT / ".pre-commit-hooks.yaml").read_text())
    assert hook["entry"].startswith("soundlint ")
    hook |= {
        "entry": f"{sys.executable} -m soundlint {hook['entry'].removeprefix('soundlint ')}",
        "language": "system",
    }
    return json.dumps({"repos": [{"repo": "local", "hooks": [hook]}]})


class Repository:
    def __init__(self, root: Path, home: Path) -> None:
        self.root = root
        self.env = os.environ | {
            "PRE_COMMIT_HOME": str(home / "pre-commit"),
            "HOME": str(home),
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_AUTHOR_NAME": "t",
            "GIT_AUTHOR_EMAIL": "t@example.invalid",
            "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@example.invalid",
        }

    def git(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["git", *args], cwd=self.root, env=self.env, capture_output=True, text=True
        )

    def commit(self, message: str) -> subprocess.CompletedProcess[str]:
        self.git("add", "-A")
        return self.git("commit", "-q", "-m", message)


@pytest.fixture
def repository(tmp_path: Path) -> Repository:
    """A clean project under pre-commit: one template, a script bound by its directive and
    one bound as "the only template", committed through the hook."""
    repo = Repository(tmp_path / "repo", tmp_path / "home")
    repo.root.mkdir()
    repo.git("init", "-q")
    (repo.root / ".pre-commit-config.yaml").write_text(_hook_config())
    subprocess.run(
        [sys.executable, "-m", "pre_commit", "install"],
        cwd=repo.root,
        env=repo.env,
        check=True,
        capture_output=True,
    )
    write_template(repo.root / "templates" / "t")
    (repo.root / "scripts").mkdir()
    (repo.root / "scripts" / "directive.xml").write_text(
        "<!-- soundlint: template=t -->\n" + SCRIPT
    )
    (repo.root / "scripts" / "only.xml").write_text(SCRIPT)
    (repo.root / "soundlint.toml").write_text('ignore = ["SC009"]\n')
    first = repo.commit("a clean project")
    assert first.returncode == 0, first.stdout + first.stderr
    return repo


def _refused(result: subprocess.CompletedProcess[str], *expected: str) -> None:
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    for text in expected:
        assert text in output, output


def test_deleting_a_segment_file_is_refused(repository: Repository) -> None:
    repository.git("rm", "-q", "templates/t/main.wav")
    _refused(repository.commit("drop a segment"), "templates/t/template.toml", "main.wav")


def test_renaming_a_template_its_scripts_are_bound_to_is_refused(repository: Repository) -> None:
    repository.git("mv", "templates/t", "templates/u")
    _refused(repository.commit("rename the template"), "scripts/directive.xml", "SC008")


def test_adding_a_second_template_unbinds_only_template_scripts(repository: Repository) -> None:
    write_template(repository.root / "templates" / "v")
    _refused(repository.commit("a second template"), "scripts/only.xml", "SC008")


def test_a_configuration_change_checks_the_whole_project(repository: Repository) -> None:
    (repository.root / "soundlint.toml").write_text(
        'ignore = ["SC009"]\n[rules.SR001]\nsample-rates = [44100]\n'
    )
    _refused(repository.commit("44.1 kHz only"), "SR001")


def test_a_profile_change_checks_the_whole_project(repository: Repository) -> None:
    (repository.root / "team.toml").write_text('ignore = ["SC009"]\n')
    (repository.root / "soundlint.toml").write_text('profile = "team.toml"\n')
    assert repository.commit("our own profile").returncode == 0
    (repository.root / "team.toml").write_text(
        'ignore = ["SC009"]\n[rules.SR001]\nsample-rates = [44100]\n'
    )
    _refused(repository.commit("44.1 kHz only"), "SR001")


def test_an_unrelated_commit_passes_quietly(repository: Repository) -> None:
    (repository.root / "notes.json").write_text("{}")
    (repository.root / "README.txt").write_text("hello")
    repository.git("add", "-A")
    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--verbose"],
        cwd=repository.root,
        env=repository.env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "soundlint" in result.stdout and "warning" not in result.stdout + result.stderr


def test_a_range_of_commits_sees_deletions_too(repository: Repository) -> None:
    """pre-commit on CI or pre-push: ``run --from-ref A --to-ref B``."""
    repository.git("rm", "-q", "templates/t/main.wav")
    repository.git("commit", "-q", "--no-verify", "-m", "drop a segment, unchecked")
    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--from-ref", "HEAD~1", "--to-ref", "HEAD"],
        cwd=repository.root,
        env=repository.env,
        capture_output=True,
        text=True,
    )
    _refused(result, "templates/t/template.toml", "main.wav")


def _passes(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 0, result.stdout + result.stderr


def _pre_commit_run(repository: Repository, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", *args],
        cwd=repository.root,
        env=repository.env,
        capture_output=True,
        text=True,
    )


def test_deleting_a_script_passes(repository: Repository) -> None:
    repository.git("rm", "-q", "scripts/directive.xml")
    _passes(_pre_commit_run(repository))
    _passes(repository.commit("drop a script"))


def _commit_a_second_template_with_its_script(repository: Repository) -> None:
    """Template v beside t, with scripts/v.xml bound to it (and the others bound to t)."""
    write_template(repository.root / "templates" / "v")
    (repository.root / "scripts" / "only.xml").write_text(
        "<!-- soundlint: template=t -->\n" + SCRIPT
    )
    (repository.root / "scripts" / "v.xml").write_text("<!-- soundlint: template=v -->\n" + SCRIPT)
    _passes(repository.commit("a second template"))


def test_retiring_a_template_with_its_scripts_passes(repository: Repository) -> None:
    _commit_a_second_template_with_its_script(repository)
    repository.git("rm", "-q", "-r", "templates/v", "scripts/v.xml")
    _passes(repository.commit("retire v"))


def test_a_range_of_commits_deleting_a_script_passes(repository: Repository) -> None:
    repository.git("rm", "-q", "scripts/directive.xml")
    repository.git("commit", "-q", "--no-verify", "-m", "drop a script, unchecked")
    _passes(_pre_commit_run(repository, "--from-ref", "HEAD~1", "--to-ref", "HEAD"))


def test_a_range_of_commits_retiring_a_template_passes(repository: Repository) -> None:
    _commit_a_second_template_with_its_script(repository)
    repository.git("rm", "-q", "-r", "templates/v", "scripts/v.xml")
    repository.git("commit", "-q", "--no-verify", "-m", "retire v, unchecked")
    _passes(_pre_commit_run(repository, "--from-ref", "HEAD~1", "--to-ref", "HEAD"))


def test_deleting_a_template_its_scripts_still_name_is_refused(repository: Repository) -> None:
    repository.git("rm", "-q", "-r", "templates/t")
    _refused(repository.commit("drop the template"), "scripts/directive.xml", "SC008")


def test_deleting_the_files_a_per_file_ignore_names_passes(repository: Repository) -> None:
    write_template(repository.root / "templates" / "v")
    (repository.root / "scripts" / "only.xml").write_text(
        "<!-- soundlint: template=t -->\n" + SCRIPT
    )
    (repository.root / "soundlint.toml").write_text(
        'ignore = ["SC009"]\n[per-file-ignores]\n"templates/v/**" = ["MD001"]\n'
    )
    _passes(repository.commit("a second template, with an exception"))
    repository.git("rm", "-q", "-r", "templates/v")
    _passes(repository.commit("retire v"))


@pytest.mark.parametrize(
    ("from_ref", "to_ref", "named"), [("nope", "HEAD", "nope"), ("HEAD", "-x", "-x")]
)
def test_a_ref_git_cannot_resolve_is_a_usage_error(
    repository: Repository, from_ref: str, to_ref: str, named: str
) -> None:
    """A range pre-commit passes (``--from-ref``/``--to-ref``, in the environment) that git
    cannot resolve would check no deletions at all: it is refused, not passed."""
    result = subprocess.run(
        [sys.executable, "-m", "soundlint", "check", "--pre-commit"],
        cwd=repository.root,
        env=repository.env | {"PRE_COMMIT_FROM_REF": from_ref, "PRE_COMMIT_TO_REF": to_ref},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert f"'{named}'" in line
