"""The composite GitHub Action (action.yml): its shape, and its shell steps run as on a runner."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import write_template

REPO = Path(__file__).resolve().parents[2]
yaml = pytest.importorskip("yaml", reason="PyYAML is not installed")


def _action() -> dict[str, Any]:
    return yaml.safe_load((REPO / "action.yml").read_text())


def _step(name: str) -> dict[str, Any]:
    return next(step for step in _action()["runs"]["steps"] if step["name"] == name)


def _run_step(name: str, cwd: Path, **inputs: str) -> tuple[int, str, dict[str, str]]:
    """Run a `run:` step with bash as the runner does, its inputs substituted in its env."""
    step = _step(name)
    output = cwd / "github-output"
    output.write_text("")
    environment = os.environ | {
        "GITHUB_OUTPUT": str(output),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    }
    for key, value in step.get("env", {}).items():
        value = value.replace("${{ github.action_path }}", str(REPO))
        for input_name, input_value in inputs.items():
            value = value.replace("${{ inputs." + input_name + " }}", input_value)
        environment[key] = value
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines())
    return done.returncode, done.stdout + done.stderr, outputs


def test_action_is_a_composite_that_uploads_before_failing() -> None:
    action = _action()
    assert action["runs"]["using"] == "composite"
    assert set(action["inputs"]) >= {"paths", "args", "python-version", "upload-sarif"}
    names = [step["name"] for step in action["runs"]["steps"]]
    assert names.index("Upload SARIF to code scanning") < names.index("Fail on findings")
    upload = _step("Upload SARIF to code scanning")
    assert upload["uses"].startswith("github/codeql-action/upload-sarif@")
    assert "inputs.upload-sarif == 'true'" in upload["if"]
    install = _step("Install soundlint")
    assert install["env"]["SOUNDLINT_SOURCE"] == "${{ github.action_path }}"


def test_action_matches_the_github_actions_schema(tmp_path: Path) -> None:
    checker = shutil.which("check-jsonschema") or Path(sys.executable).with_name("check-jsonschema")
    if not Path(checker).exists():
        pytest.skip("check-jsonschema is not installed")
    done = subprocess.run(
        [str(checker), "--builtin-schema", "vendor.github-actions", str(REPO / "action.yml")],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture
def library(tmp_path: Path) -> Path:
    write_template(tmp_path / "good")
    write_template(tmp_path / "bad", {"main": "gone.wav"}, audio=False)
    return tmp_path


def test_check_step_writes_sarif_and_reports_findings_without_failing(library: Path) -> None:
    code, log, outputs = _run_step(
        "Run soundlint", library, paths="bad good", args="--no-cache", **{"sarif-file": "s.sarif"}
    )
    assert code == 0, log
    assert outputs["exit-code"] == "1"
    results = json.loads((library / "s.sarif").read_text())["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == ["MD004"]


def test_check_step_fails_at_once_on_a_usage_error(library: Path) -> None:
    code, log, outputs = _run_step(
        "Run soundlint", library, paths="", args="--select NOPE", **{"sarif-file": "s.sarif"}
    )
    assert (code, outputs["exit-code"]) == (2, "2")
    assert "NOPE" in log


def test_fail_step_prints_the_findings_and_fails(library: Path) -> None:
    code, log, _ = _run_step("Fail on findings", library, paths="", args="")
    assert code == 1
    assert "bad/template.toml" in log and "MD004" in log


def test_inputs_are_split_as_a_shell_splits_words(tmp_path: Path) -> None:
    write_template(tmp_path / "my templates" / "bad", {"main": "gone.wav"}, audio=False)
    write_template(tmp_path / "good")
    paths = '"my templates/bad" good'
    sarif = {"sarif-file": "my report.sarif"}
    recorded = _run_step(
        "Run soundlint", tmp_path, paths=paths, args="--write-baseline 'base line.json'", **sarif
    )
    assert (recorded[0], recorded[2]["exit-code"]) == (0, "0"), recorded[1]
    assert (tmp_path / "base line.json").is_file()
    code, log, outputs = _run_step(
        "Run soundlint", tmp_path, paths=paths, args="--baseline base\\ line.json", **sarif
    )
    assert (code, outputs["exit-code"]) == (0, "0"), log
    assert json.loads((tmp_path / "my report.sarif").read_text())["runs"][0]["results"] == []
    code, log, _ = _run_step(
        "Fail on findings", tmp_path, paths=paths, args='--select "MD004, MD002"'
    )
    assert code == 1
    assert "my templates/bad/template.toml:7:1: error: MD004" in log


def test_an_input_that_cannot_be_split_is_a_usage_error(library: Path) -> None:
    code, log, outputs = _run_step(
        "Run soundlint", library, paths="", args="--select 'MD004", **{"sarif-file": "s.sarif"}
    )
    assert (code, outputs["exit-code"]) == (2, "2")
    assert "SOUNDLINT_ARGS" in log and "quotation" in log
