"""Monorepos: each file is checked under the nearest configuration above it, as ruff does."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from soundlint import api
from tests.conftest import write_template
from tests.core.test_project_files import git_init

SCRIPT = '<as:section soundSegment="main">x</as:section>\n'


@pytest.fixture
def monorepo(tmp_path: Path) -> Path:
    """Two teams, one template each, each with scripts that rely on "the only template"."""
    git_init(tmp_path)
    for team, template in (("team-a", "news"), ("team-b", "sport")):
        write_template(tmp_path / team / "templates" / template, description="")
        (tmp_path / team / "scripts").mkdir()
        (tmp_path / team / "scripts" / f"{template}.xml").write_text(SCRIPT)
    (tmp_path / "team-a" / "soundlint.toml").write_text('ignore = ["MD002"]\n')
    (tmp_path / "team-b" / "pyproject.toml").write_text('[tool.soundlint]\nignore = ["SC009"]\n')
    return tmp_path


def _found(result) -> set[tuple[str, str]]:
    return {(d["path"], d["code"]) for d in result.json["diagnostics"]}


TEAM_B_ONLY = {("team-b/templates/sport/template.toml", "MD002")}


def test_files_of_two_projects_are_each_checked_under_their_own_config(
    monorepo: Path, check
) -> None:
    result = check(
        "team-a/templates/news/template.toml",
        "team-b/templates/sport/template.toml",
        "team-a/scripts/news.xml",
        "team-b/scripts/sport.xml",
    )
    assert _found(result) == TEAM_B_ONLY | {
        ("team-a/templates/news/template.toml", "SC009")  # team-a does not ignore it
    }
    assert result.json["summary"]["templates"] == 2
    assert result.json["summary"]["scripts"] == 2


def test_a_directory_holding_several_projects(monorepo: Path, check) -> None:
    assert _found(check()) == _found(check("team-a", "team-b"))
    assert _found(check()) == TEAM_B_ONLY | {("team-a/templates/news/template.toml", "SC009")}


def test_a_script_binds_only_within_its_own_project(monorepo: Path, check) -> None:
    (monorepo / "team-a" / "scripts" / "news.xml").write_text(
        "<!-- soundlint: template=sport -->\n" + SCRIPT
    )
    result = check("team-a/scripts/news.xml", "team-b/templates/sport/main.wav")
    assert ("team-a/scripts/news.xml", "SC008") in _found(result)


def test_no_paths_in_a_subdirectory_checks_that_directory(monorepo: Path, check) -> None:
    result = check(cwd=monorepo / "team-b" / "scripts")
    assert result.codes() == []
    assert result.json["summary"] == result.json["summary"] | {"templates": 0, "scripts": 1}


def test_each_project_loads_its_own_plugins(monorepo: Path, check) -> None:
    (monorepo / "team-b" / "team_b_rules.py").write_text(
        textwrap.dedent(
            """
            from soundlint import Diagnostic, Rule, hookimpl

            RULE = Rule(code="TB001", name="team-b", summary="s", what="w", why="y", fix="f")

            @hookimpl
            def soundlint_rules():
                return [RULE]

            @hookimpl
            def soundlint_check_template(template):
                yield Diagnostic("TB001", "team b rule", template.manifest)
            """
        )
    )
    sys.modules.pop("team_b_rules", None)
    (monorepo / "team-b" / "pyproject.toml").write_text(
        '[tool.soundlint]\nignore = ["SC009", "MD002"]\nplugins = ["team_b_rules"]\n'
    )
    assert _found(check()) == {
        ("team-a/templates/news/template.toml", "SC009"),
        ("team-b/templates/sport/template.toml", "TB001"),
    }


def test_lint_api_merges_the_projects(monorepo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(monorepo)
    result = api.lint(["team-a", "team-b"])
    assert [p.root for p in result.projects] == [monorepo / "team-a", monorepo / "team-b"]
    assert [t.name for t in result.checked_templates] == ["news", "sport"]
    assert [d.code for d in result.diagnostics] == ["SC009", "MD002"]


def test_audio_workers_load_the_plugins_of_their_project(monorepo: Path, check) -> None:
    (monorepo / "team-b" / "team_b_meter.py").write_text(
        textwrap.dedent(
            """
            import os
            from soundlint import hookimpl
            from soundlint.model import Measurement

            @hookimpl(tryfirst=True)
            def soundlint_measure(path):
                with open("meter-calls.log", "a") as log:
                    log.write(f"{os.getpid()} {path.parent.name}/{path.name}\\n")
                return Measurement(sample_rate=48000, channels=2, frames=72000,
                                   integrated_lufs=-16.0, true_peak_dbtp=-3.0,
                                   sample_peak_dbfs=-3.0, max_momentary_lufs=-15.0)
            """
        )
    )
    (monorepo / "team-b" / "pyproject.toml").write_text(
        '[tool.soundlint]\nplugins = ["team_b_meter"]\n'
    )
    check("-j", "2", "--no-cache", "--select", "LN")
    sys.modules.pop("team_b_meter", None)
    calls = (monorepo / "meter-calls.log").read_text().split()
    pids, files = calls[0::2], calls[1::2]
    assert sorted(files) == ["sport/intro.wav", "sport/main.wav"]
    assert str(os.getpid()) not in pids


HOUSE_RULES = textwrap.dedent(
    """
    from soundlint import hookimpl
    from soundlint.model import Diagnostic
    from soundlint.rule import Rule
    {imports}

    RULE = Rule(code="HR001", name="house", summary="s", what="w", why="y", fix="f")

    @hookimpl
    def soundlint_rules():
        return [RULE]

    @hookimpl
    def soundlint_check_template(template):
        yield Diagnostic("HR001", "house rule of " + TEAM, template.manifest)
    """
)
LAYOUTS = {
    "module with a helper module beside it": {
        "house_rules.py": "from helper import TEAM",
        "helper.py": "",
    },
    "package with a submodule": {
        "house_rules/__init__.py": "from house_rules.words import TEAM",
        "house_rules/words.py": "",
    },
}


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("order", ["a then b", "b then a"])
def test_same_named_local_plugins_of_two_projects_are_each_their_own(
    monorepo: Path, check, layout: str, order: str
) -> None:
    for team, config in (("team-a", "soundlint.toml"), ("team-b", "pyproject.toml")):
        plugin, helper = LAYOUTS[layout]
        (monorepo / team / plugin).parent.mkdir(exist_ok=True)
        (monorepo / team / plugin).write_text(HOUSE_RULES.format(imports=LAYOUTS[layout][plugin]))
        (monorepo / team / helper).write_text(f"TEAM = {team!r}\n")
        table = "" if config == "soundlint.toml" else "[tool.soundlint]\n"
        (monorepo / team / config).write_text(
            f'{table}select = ["HR"]\nplugins = ["house_rules"]\n'
        )
    teams = ["team-a", "team-b"] if order == "a then b" else ["team-b", "team-a"]
    try:
        result = check(*teams)
    finally:
        for name in ("house_rules", "house_rules.words", "helper"):
            sys.modules.pop(name, None)
    messages = {(d["path"].split("/")[0], d["message"]) for d in result.json["diagnostics"]}
    assert messages == {("team-a", "house rule of team-a"), ("team-b", "house rule of team-b")}


def test_a_broken_local_plugin_is_named_by_its_own_file(monorepo: Path, check) -> None:
    (monorepo / "team-a" / "house_rules.py").write_text(HOUSE_RULES.format(imports="TEAM = 'a'"))
    (monorepo / "team-b" / "house_rules.py").write_text("raise RuntimeError('broken')\n")
    for team in ("team-a", "team-b"):
        (monorepo / team / "soundlint.toml").write_text('plugins = ["house_rules"]\n')
    (monorepo / "team-b" / "pyproject.toml").unlink()
    try:
        result = check()
    finally:
        sys.modules.pop("house_rules", None)
    errors = [d for d in result.json["diagnostics"] if d["code"] == "SL001"]
    assert [d["path"] for d in errors] == ["team-b/house_rules.py"]
    assert "broken" in errors[0]["message"]


def test_a_project_s_own_plugin_module_is_loaded_once(monorepo: Path) -> None:
    for team in ("team-a", "team-b"):
        (monorepo / team / "house_rules.py").write_text(
            "import os\nCOUNT = int(os.environ.get('HOUSE_LOADS', '0')) + 1\n"
            "os.environ['HOUSE_LOADS'] = str(COUNT)\n"
        )
    (monorepo / "team-b" / "pyproject.toml").unlink()
    try:
        for _ in range(2):
            for team in ("team-a", "team-b"):
                (monorepo / team / "soundlint.toml").write_text('plugins = ["house_rules"]\n')
                api.start([monorepo / team])
        assert os.environ["HOUSE_LOADS"] == "2"  # once for each project, not once a session
    finally:
        sys.modules.pop("house_rules", None)
        os.environ.pop("HOUSE_LOADS", None)


def test_a_local_module_named_like_a_dependency_does_not_shadow_it(tmp_path: Path) -> None:
    """soundlint imports xxhash for its cache after the plugins load (a process of its own:
    this one has xxhash imported already)."""
    write_template(tmp_path / "t", {"main": "main.wav"})
    (tmp_path / "house_rules.py").write_text("")
    (tmp_path / "xxhash.py").write_text("raise RuntimeError('the project xxhash.py')\n")
    (tmp_path / "soundlint.toml").write_text('plugins = ["house_rules"]\n')
    soundlint = Path(sys.executable).with_name("soundlint")
    done = subprocess.run(
        [str(soundlint), "check", "."], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert done.returncode in (0, 1), done.stderr
    assert "xxhash" not in done.stdout + done.stderr
    assert (tmp_path / ".soundlint_cache").is_dir()


def test_a_plugin_a_project_lacks_is_not_taken_from_another_project(monorepo: Path, check) -> None:
    (monorepo / "team-a" / "extra.py").write_text(HOUSE_RULES.format(imports="TEAM = 'a'"))
    for team in ("team-a", "team-b"):
        (monorepo / team / "soundlint.toml").write_text('plugins = ["extra"]\n')
    (monorepo / "team-b" / "pyproject.toml").unlink()
    try:
        result = check()
    finally:
        sys.modules.pop("extra", None)
    [error] = [d for d in result.json["diagnostics"] if d["code"] == "SL001"]
    assert "ModuleNotFoundError: No module named 'extra'" in error["message"]
    found = {(d["path"].split("/")[0], d["code"]) for d in result.json["diagnostics"]}
    assert ("team-b", "HR001") not in found


def test_namespace_package_plugins_are_each_project_s_own(monorepo: Path, check) -> None:
    for team in ("team-a", "team-b"):
        package = monorepo / team / "house"
        package.mkdir()
        (package / "rules.py").write_text(HOUSE_RULES.format(imports="from .words import TEAM"))
        (package / "words.py").write_text(f"TEAM = {team!r}\n")
        (monorepo / team / "soundlint.toml").write_text(
            'select = ["HR"]\nplugins = ["house.rules"]\n'
        )
    (monorepo / "team-b" / "pyproject.toml").unlink()
    try:
        result = check()
    finally:
        for name in ("house", "house.rules", "house.words"):
            sys.modules.pop(name, None)
    messages = {(d["path"].split("/")[0], d["message"]) for d in result.json["diagnostics"]}
    assert messages == {("team-a", "house rule of team-a"), ("team-b", "house rule of team-b")}
