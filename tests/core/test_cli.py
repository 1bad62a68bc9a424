"""The command line: exit codes, output formats, options."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from soundlint import __version__
from soundlint.cli import main
from tests.conftest import write_template

JSON_KEYS = [
    "code",
    "severity",
    "message",
    "path",
    "line",
    "column",
    "template",
    "segment",
    "start_s",
    "end_s",
]


def _broken_project(root: Path) -> None:
    write_template(root / "b", description="")
    write_template(root / "a", {"main": "missing.wav"}, audio=False)


def test_exit_zero_when_clean(tmp_path: Path, run) -> None:
    write_template(tmp_path / "t")
    result = run("check")
    assert result.code == 0
    assert (
        result.out
        == "All checks passed (1 template, 0 scripts, 3 files).\nReady: 1 template (t).\n"
    )


def test_text_output_lines_and_summary(tmp_path: Path, run) -> None:
    _broken_project(tmp_path)
    result = run("check")
    assert result.code == 1
    assert result.out.splitlines() == [
        "a/template.toml:7:1: error: MD004 segment 'main': file 'missing.wav' does not exist",
        "b/template.toml:1:1: error: MD002 required field 'description' is empty",
        "Found 2 errors (2 templates, 0 scripts, 4 files).",
        "Not ready: 2 templates (a, b).",
        "`soundlint rule MD004` explains a rule: what it checks, why, and how to fix it.",
    ]
    assert "\x1b[" not in result.out


def test_text_output_shows_each_severity(tmp_path: Path, run) -> None:
    """As gcc, clang and mypy print it, which editors' and CI's problem matchers read."""
    write_template(tmp_path / "t")
    (tmp_path / "t" / "stray.wav").write_bytes((tmp_path / "t" / "main.wav").read_bytes())
    (tmp_path / "soundlint.toml").write_text('[severity]\nMD004 = "info"\n')
    (tmp_path / "t" / "main.wav").unlink()
    lines = run("check", "--color", "never").out.splitlines()
    assert lines[:2] == [
        "t/template.toml:6:1: warning: MD005 audio file 'stray.wav' is not listed in [segments]",
        "t/template.toml:8:1: info: MD004 segment 'main': file 'main.wav' does not exist",
    ]
    coloured = run("check", "--color", "always").out
    assert "warning:" in coloured and "info:" in coloured


def test_paths_are_relative_to_the_working_directory(tmp_path: Path, run) -> None:
    _broken_project(tmp_path / "project")
    result = run("check", "project/a", cwd=tmp_path)
    assert result.out.startswith("project/a/template.toml:7:1: error: MD004")
    inner = run("check", ".", cwd=tmp_path / "project" / "a")
    assert inner.out.startswith("template.toml:7:1: error: MD004")


def test_color_only_when_asked_or_on_a_terminal(tmp_path: Path, run) -> None:
    _broken_project(tmp_path)
    assert "\x1b[" in run("check", "--color", "always").out
    assert "\x1b[" not in run("check").out


def test_json_output_has_the_documented_keys(tmp_path: Path, check) -> None:
    _broken_project(tmp_path)
    document = check().json
    assert document["version"] == 1
    assert document["tool"] == {"name": "soundlint", "version": __version__}
    assert document["summary"] == {
        "templates": 2,
        "scripts": 0,
        "files": 4,
        "errors": 2,
        "warnings": 0,
        "infos": 0,
    }
    first = document["diagnostics"][0]
    assert list(first)[: len(JSON_KEYS)] == JSON_KEYS
    assert first["path"] == "a/template.toml" and first["template"] == "a"


def test_diagnostics_sorted_by_path_line_column_code(tmp_path: Path, check) -> None:
    write_template(tmp_path / "z", description="", style="", name="Z Z")
    write_template(tmp_path / "m", genre="")
    diagnostics = check().json["diagnostics"]
    keys = [(d["path"], d["line"] or 0, d["column"] or 0, d["code"]) for d in diagnostics]
    assert keys == sorted(keys)
    assert len(keys) == 4


def test_exit_zero_and_strict(tmp_path: Path, run) -> None:
    _broken_project(tmp_path)
    assert run("check", "--exit-zero").code == 0
    write_template(tmp_path / "a")  # repair: only a warning is left
    shutil.rmtree(tmp_path / "b")
    (tmp_path / "a" / "stray.wav").write_bytes(b"")
    assert run("check").code == 0
    assert run("check", "--strict").code == 1


def test_select_and_ignore(tmp_path: Path, check) -> None:
    _broken_project(tmp_path)
    assert check("--select", "MD004").codes() == ["MD004"]
    assert check("--ignore", "MD").codes() == []
    assert check("--ignore", "MD", "--extend-select", "MD002").codes() == ["MD002"]


def test_output_file_is_written_whole(tmp_path: Path, run) -> None:
    _broken_project(tmp_path)
    result = run("check", "--output-format", "json", "--output", "report.json")
    assert result.code == 1 and result.out == ""
    assert len(json.loads((tmp_path / "report.json").read_text())["diagnostics"]) == 2
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".report")] == []


def test_usage_errors_exit_2_with_one_line(tmp_path: Path, run) -> None:
    for args in (
        ["check", "nowhere"],
        ["check", "--select", "XX999"],
        ["check", "--profile", "nope"],
        ["check", "--output-format", "yaml"],
        ["check", "--no-such-option"],
        ["rule", "ZZ123"],
        [],
    ):
        result = run(*args)
        assert result.code == 2, args
        assert result.err.count("\n") == 1 and result.err.startswith("soundlint: error:"), args


def test_version(run) -> None:
    result = run("--version")
    assert result.code == 0
    assert result.out.startswith(f"soundlint {__version__}\naudio kernel: ")
    assert result.out.count("\n") == 2


def test_version_among_other_options_is_the_same(run, capsys) -> None:
    expected = run("--version").out
    with pytest.raises(SystemExit) as exit:
        main(["-p", "no:names", "--version"])
    assert exit.value.code == 0
    assert capsys.readouterr().out == expected


def test_rules_listing_text_and_json(run) -> None:
    text = run("rules").out
    assert "SC002   unknown-sound-segment" in text
    listing = json.loads(run("rules", "--output-format", "json").out)
    codes = [rule["code"] for rule in listing]
    assert codes == sorted(codes)
    expected = {"MD001", "MD006", "NM003", "SC009", "SR002", "WAV006", "SL001"}
    assert expected <= set(codes)
    md002 = next(rule for rule in listing if rule["code"] == "MD002")
    assert md002["options"] == {"fields": ["description", "style", "genre", "tags"]}


def test_rule_doc_has_fixed_headings(run) -> None:
    for key in ("SC002", "sc002", "unknown-sound-segment"):
        doc = run("rule", key).out
        assert doc.startswith("# SC002 (unknown-sound-segment)")
        for heading in ("## What it checks", "## Why", "## Example", "## How to fix"):
            assert heading in doc
    assert "## Options" in run("rule", "MD002").out


def test_console_script_runs_without_traceback(tmp_path: Path) -> None:
    _broken_project(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "soundlint", "check", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr


def test_script_only_run_does_not_import_the_audio_stack(tmp_path: Path) -> None:
    write_template(tmp_path / "epic")
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "a.xml").write_text('<as:section soundSegment="intro">x</as:section>')
    probe = (
        "import sys; from soundlint.cli import main; code = main(['check', 'scripts/a.xml']); "
        "heavy = {'numpy', 'scipy', 'soundfile', 'pyloudnorm'} & set(sys.modules); "
        "print(code, sorted(heavy))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path, check=True
    )
    assert result.stdout.splitlines()[-1] == "0 []"


def test_output_file_gets_an_ordinary_mode_and_its_directory(tmp_path: Path, run) -> None:
    write_template(tmp_path / "t")
    old = os.umask(0o022)
    try:
        assert run("check", "--output", "reports/out.txt").code == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "reports" / "out.txt").stat().st_mode) == 0o644


def test_disabled_report_plugin_is_a_usage_error(tmp_path: Path, run) -> None:
    write_template(tmp_path / "t")
    result = run("check", "-p", "no:report")
    assert result.code == 2
    assert result.err == "soundlint: error: no plugin provides the output format 'text'\n"


def test_paths_that_check_nothing_are_warned_about(tmp_path: Path, run) -> None:
    write_template(tmp_path / "t")
    (tmp_path / "notes.xml").write_text("<a/>")
    result = run("check", "notes.xml")
    assert result.code == 0
    assert result.err.splitlines() == [
        "soundlint: warning: notes.xml is in no template and not a script "
        "(see `scripts` in the configuration); not checked",
        "soundlint: warning: no templates or scripts found to check",
    ]


def test_config_search_does_not_depend_on_argument_order(tmp_path: Path, check) -> None:
    write_template(tmp_path / "templates" / "t", {"intro": "intro.wav"})
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "b.xml").write_text(
        '<!-- soundlint: template=t -->\n<as:section soundSegment="intr">x</as:section>'
    )
    (tmp_path / "scripts" / "soundlint.toml").write_text('ignore = ["SC009"]\n')
    forward = check("scripts/b.xml", "templates/t/intro.wav")
    backward = check("templates/t/intro.wav", "scripts/b.xml")
    assert forward.json == backward.json
    # b.xml belongs to the project in scripts/ (the nearest configuration); named outright with
    # its directive it is a script, bound to a template of another project: not found there.
    assert "SC008" in forward.codes() and "SC002" not in forward.codes()
    assert forward.json["summary"]["templates"] == 1
    # From inside, scripts/ is a project of its own, and the `scripts` globs are relative to its
    # root: b.xml is not under a scripts/ directory there, so nothing is checked.
    inside = check(cwd=tmp_path / "scripts")
    assert inside.codes() == []
    assert inside.json["summary"]["scripts"] == 0


def test_help_documents_every_option_its_choices_and_default(tmp_path: Path, capsys) -> None:
    import argparse

    from soundlint import api, cli

    parser = cli._build_parser(api.start([tmp_path]))
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert {"check", "rules", "rule", "plugins", "measure", "inspect"} <= set(commands.choices)
    for name, subparser in {"soundlint": parser, **commands.choices}.items():
        text = subparser.format_help()
        for action in subparser._actions:
            if isinstance(action, argparse._HelpAction):
                continue
            where = f"{name} {'/'.join(action.option_strings) or action.dest}"
            assert action.help and action.help is not argparse.SUPPRESS, where
            for choice in action.choices or ():
                assert str(choice) in text, where
            if action.default not in (None, False, [], argparse.SUPPRESS):
                assert f"default: {action.default}" in " ".join(text.split()), where


def test_command_required_lists_every_command(tmp_path: Path, run) -> None:
    result = run()
    assert result.code == 2
    for command in ("check", "rules", "rule", "plugins", "measure", "inspect"):
        assert command in result.err
    assert result.err.count("\n") == 1


def test_an_empty_selection_is_a_usage_error(tmp_path: Path, run) -> None:
    """`--select "$RULES"` with the variable unset must not pass by running nothing."""
    _broken_project(tmp_path)
    for value in ("", " , "):
        result = run("check", "--select", value)
        assert result.code == 2, value
        assert result.err.startswith("soundlint: error: --select") and result.err.count("\n") == 1


def test_config_naming_a_directory_says_so(tmp_path: Path, run) -> None:
    _broken_project(tmp_path)
    (tmp_path / "conf").mkdir()
    result = run("check", "--config", "conf")
    assert result.code == 2
    assert "conf is a directory" in result.err and result.err.count("\n") == 1


def test_empty_path_values_are_usage_errors(tmp_path: Path, run) -> None:
    """An empty value (an unset variable) would otherwise stand for the current directory."""
    _broken_project(tmp_path)
    for option in ("--output", "--baseline", "--write-baseline", "--cache-dir", "--config"):
        result = run("check", option, "")
        assert result.code == 2, option
        assert f"{option}: " in result.err and "empty" in result.err, option
        assert result.err.count("\n") == 1, option
    result = run("check", "")  # `soundlint check "$TEMPLATES"`, the variable unset
    assert result.code == 2 and "PATH: an empty value is not a path" in result.err


def test_summary_names_a_configuration_outside_the_current_directory(tmp_path: Path, run) -> None:
    _broken_project(tmp_path)
    (tmp_path / "pyproject.toml").write_text('[tool.soundlint]\nignore = ["MD002"]\n')
    here = run("check").out.splitlines()
    assert here[1] == "Found 1 error (2 templates, 0 scripts, 4 files)."
    below = run("check", ".", cwd=tmp_path / "a").out.splitlines()
    assert below[1] == (
        "Found 1 error (1 template, 0 scripts, 1 file; "
        "configuration ../pyproject.toml [tool.soundlint])."
    )


def test_summary_counts_the_findings_in_the_baseline(tmp_path: Path, run) -> None:
    _broken_project(tmp_path)
    assert run("check", "--write-baseline", "baseline.json").code == 0
    write_template(tmp_path / "c", description="")
    lines = run("check", "--baseline", "baseline.json").out.splitlines()
    assert lines[:3] == [
        "c/template.toml:1:1: error: MD002 required field 'description' is empty",
        "Found 1 error (3 templates, 0 scripts, 7 files; 2 findings in the baseline not shown).",
        "Not ready: 3 templates (a, b, c).",  # upload takes no template with an error
    ]


def test_check_ends_with_the_templates_ready_and_not(tmp_path: Path, run) -> None:
    _broken_project(tmp_path)
    write_template(tmp_path / "good")
    lines = run("check").out.splitlines()
    assert lines[-4:] == [
        "Found 2 errors (3 templates, 0 scripts, 7 files).",
        "Ready: 1 template (good).",
        "Not ready: 2 templates (a, b).",
        "`soundlint rule MD004` explains a rule: what it checks, why, and how to fix it.",
    ]
    shutil.rmtree(tmp_path / "a")
    shutil.rmtree(tmp_path / "b")
    assert run("check").out.splitlines()[-1] == "Ready: 1 template (good)."


def test_a_large_library_gets_counts_and_names_under_verbose(tmp_path: Path, run) -> None:
    for index in range(7):
        write_template(tmp_path / f"good{index}", audio=False)
    write_template(tmp_path / "bad", audio=False, description="")
    lines = run("check", "--select", "MD002").out.splitlines()
    assert lines[-3:-1] == ["Ready: 7 templates (-v names them).", "Not ready: 1 template (bad)."]
    verbose = run("check", "--select", "MD002", "-v").out.splitlines()
    names = ", ".join(f"good{index}" for index in range(7))
    assert verbose[-3] == f"Ready: 7 templates ({names})."


def test_help_gives_the_current_directory_as_the_default_path(tmp_path: Path, capsys) -> None:
    from soundlint import api, cli

    parser = cli._build_parser(api.start([tmp_path]))
    for command in ("check", "upload"):
        with contextlib.suppress(SystemExit):
            parser.parse_args([command, "--help"])
        text = " ".join(capsys.readouterr().out.split())
        assert "default: the current directory" in text, command
        assert "(default: the project root)" not in text, command
