"""Plugins: entry points, local modules, -p, error isolation (SL001)."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import write_template

EXAMPLE_PLUGIN = Path(__file__).parents[2] / "plugins" / "soundlint-example" / "src"


def install_dist(site: Path, dist: str, entry_points: dict[str, str]) -> None:
    """Make a distribution visible to importlib.metadata: a dist-info on sys.path."""
    info = site / f"{dist.replace('-', '_')}-1.2.3.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.2.3\n")
    lines = ["[soundlint]", *(f"{name} = {target}" for name, target in entry_points.items())]
    (info / "entry_points.txt").write_text("\n".join(lines) + "\n")


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    before = set(sys.modules)
    yield site
    for name in set(sys.modules) - before:
        if name.startswith(("soundlint_example", "thirdparty_", "local_rules")):
            del sys.modules[name]


def test_example_plugin_through_entry_point_metadata(
    tmp_path: Path, site: Path, monkeypatch: pytest.MonkeyPatch, check, run
) -> None:
    monkeypatch.syspath_prepend(str(EXAMPLE_PLUGIN))
    install_dist(site, "soundlint-example", {"example": "soundlint_example"})
    write_template(tmp_path / "t", description="Too short")
    result = check()
    assert result.codes() == ["EX001"]
    assert result.json["diagnostics"][0]["severity"] == "warning"
    assert "example          1.2.3" in run("plugins").out
    assert "EX001   description-too-short" in run("rules").out
    (tmp_path / "soundlint.toml").write_text("[rules.EX001]\nmin-length = 5\n")
    assert check().codes() == []


def test_broken_plugin_is_sl001_and_other_rules_still_report(
    tmp_path: Path, site: Path, check
) -> None:
    (site / "thirdparty_broken.py").write_text("raise ImportError('needs libfoo')\n")
    (site / "thirdparty_raising.py").write_text(
        textwrap.dedent(
            """
            from soundlint import hookimpl

            @hookimpl
            def soundlint_check_template(template):
                raise ZeroDivisionError("oops")
            """
        )
    )
    install_dist(
        site, "thirdparty", {"broken": "thirdparty_broken", "raising": "thirdparty_raising"}
    )
    write_template(tmp_path / "t", genre="")
    result = check()
    assert result.code == 1
    by_code = {}
    for diagnostic in result.json["diagnostics"]:
        by_code.setdefault(diagnostic["code"], []).append(diagnostic["message"])
    assert by_code["MD002"] == ["required field 'genre' is empty"]
    assert sorted(by_code["SL001"]) == [
        "plugin 'broken' failed to load: ImportError: needs libfoo",
        "plugin 'raising' raised in soundlint_check_template: ZeroDivisionError: oops",
    ]


def test_sl001_alone_fails_the_run(tmp_path: Path, site: Path, check) -> None:
    (site / "thirdparty_bad.py").write_text("1/0\n")
    install_dist(site, "thirdparty", {"bad": "thirdparty_bad"})
    write_template(tmp_path / "t")
    result = check()
    assert (result.code, result.codes()) == (1, ["SL001"])


def test_local_plugin_from_config_and_command_line(tmp_path: Path, site: Path, check) -> None:
    (tmp_path / "local_rules.py").write_text(
        textwrap.dedent(
            """
            from soundlint import Diagnostic, Rule, hookimpl

            RULE = Rule(code="LOC001", name="no-trailer", summary="s", what="w", why="y", fix="f")

            @hookimpl
            def soundlint_rules():
                return [RULE]

            @hookimpl
            def soundlint_check_template(template):
                if template.metadata.get("genre") == "trailer":
                    yield Diagnostic("LOC001", "no trailers here", template.manifest)
            """
        )
    )
    write_template(tmp_path / "t")
    assert check("-p", "local_rules").codes() == ["LOC001"]
    (tmp_path / "soundlint.toml").write_text('plugins = ["local_rules"]\n')
    assert check().codes() == ["LOC001"]
    assert check("-p", "no:local_rules").codes() == []


def test_disabling_a_builtin_plugin(tmp_path: Path, check, run) -> None:
    write_template(tmp_path / "t", name="Bad Name")
    assert check().codes() == ["NM003"]
    assert check("-p", "no:names").codes() == []
    assert "names" not in run("-p", "no:names", "plugins").out.split()


def test_missing_local_plugin_is_sl001(tmp_path: Path, check) -> None:
    write_template(tmp_path / "t")
    result = check("-p", "does_not_exist_anywhere")
    assert result.codes() == ["SL001"]
    assert "ModuleNotFoundError" in result.json["diagnostics"][0]["message"]


def test_plugins_listing_shows_builtins_with_versions(run) -> None:
    out = run("plugins").out
    for name in ("loaders", "metadata", "names", "scripts", "samplerate", "wav", "report"):
        assert any(line.split()[0] == name for line in out.splitlines()), name


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "@hookimpl\ndef soundlint_check_template(template):\n    return ['oops']\n",
            "returned str, not Diagnostic values",
        ),
        (
            "@hookimpl\ndef soundlint_check_template(template):\n"
            "    yield Diagnostic('ZZ999', 'x', template.manifest)\n",
            "reported code ZZ999, which no plugin registered as a rule",
        ),
        (
            "@hookimpl(wrapper=True)\ndef soundlint_check_template(template):\n"
            "    return (yield)\n",
            "hook wrappers are not supported",
        ),
    ],
)
def test_misbehaving_check_hooks_are_sl001(
    tmp_path: Path, site: Path, check, body: str, message: str
) -> None:
    (tmp_path / "local_rules.py").write_text(
        "from soundlint import Diagnostic, hookimpl\n\n" + body
    )
    write_template(tmp_path / "t", genre="")
    result = check("-p", "local_rules")
    assert result.code == 1 and result.err == ""
    codes = result.codes()
    assert codes.count("MD002") == 1
    [sl001] = [d for d in result.json["diagnostics"] if d["code"] == "SL001"]
    assert message in sl001["message"]


def test_hook_returning_none_reports_nothing(tmp_path: Path, site: Path, check) -> None:
    (tmp_path / "local_rules.py").write_text(
        "from soundlint import hookimpl\n\n"
        "@hookimpl\ndef soundlint_check_template(template):\n    return None\n"
    )
    write_template(tmp_path / "t")
    assert check("-p", "local_rules").codes() == []


def test_plugin_claiming_a_builtin_code_is_refused_as_a_whole(
    tmp_path: Path, site: Path, check, run
) -> None:
    (site / "thirdparty_clash.py").write_text(
        textwrap.dedent(
            """
            from soundlint import Diagnostic, Rule, hookimpl

            @hookimpl
            def soundlint_rules():
                return [
                    Rule(code="NM003", name="mine", summary="s", what="w", why="y", fix="f"),
                    Rule(code="TP001", name="other", summary="s", what="w", why="y", fix="f"),
                ]

            @hookimpl
            def soundlint_check_template(template):
                yield Diagnostic("TP001", "should never run", template.manifest)
            """
        )
    )
    # "aaa" sorts before every built-in entry point: the built-ins still win.
    install_dist(site, "thirdparty", {"aaa": "thirdparty_clash"})
    write_template(tmp_path / "t", name="Bad Name")
    result = check()
    by_code = {d["code"]: d for d in result.json["diagnostics"]}
    assert sorted(by_code) == ["NM003", "SL001"]
    assert by_code["NM003"]["message"].startswith("template name 'Bad Name'")
    error = by_code["SL001"]
    assert "'aaa'" in error["message"] and "thirdparty_clash" in error["message"]
    assert "NM003" in error["message"]
    assert error["path"].endswith("thirdparty_clash.py")
    rules = run("rules").out
    assert "NM003   invalid-name" in rules
    assert "TP001" not in rules and "mine" not in rules.split()
    assert "aaa" not in [line.split()[0] for line in run("plugins").out.splitlines() if line]


def test_plugin_whose_rules_hook_returns_garbage_is_refused(tmp_path: Path, site: Path, check):
    (site / "thirdparty_garbage.py").write_text(
        "from soundlint import hookimpl\n\n@hookimpl\ndef soundlint_rules():\n    return ['x']\n"
    )
    install_dist(site, "thirdparty", {"garbage": "thirdparty_garbage"})
    write_template(tmp_path / "t")
    result = check()
    [diagnostic] = result.json["diagnostics"]
    assert diagnostic["code"] == "SL001"
    assert "soundlint_rules must return Rule values" in diagnostic["message"]
