"""``soundlint upload``: lint, then push the templates that pass, whole or not at all."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from soundlint.config import ConfigError
from soundlint_audiostack import core
from soundlint_audiostack.options import KEY_VARIABLE, TABLE, UploadOptions, resolve
from soundlint_audiostack.plan import Plan, Status, make_plan, needs_listing
from soundlint_audiostack.state import UploadState

if TYPE_CHECKING:
    from soundlint.api import Session
    from soundlint_audiostack.execute import Outcome

EXIT_CLEAN, EXIT_FAILED = 0, 1


def run(args: argparse.Namespace, session: Session) -> int:
    """Lint, plan, upload (or print the plan), report; the exit status."""
    for path in args.paths:
        if not os.path.lexists(path):
            raise ConfigError(f"path not found: {path}")
    table, root = core.upload_table(session)
    options = resolve(table, root, args.api_base)
    if options.key is None and not args.dry_run:
        raise ConfigError(
            f"no API key: set {KEY_VARIABLE}, or key-file in {TABLE}; nothing was uploaded"
        )
    lint = core.lint_templates(session, args.paths, args)
    states = {root: UploadState.load(root) for root in {v.root for v in lint.verdicts}}
    if args.output_format == "text":
        sys.stdout.write(lint.render("text"))  # before the upload, which may take a while
        sys.stdout.flush()
    target = options.api_base + (f" (organisation {options.org})" if options.org else "")
    if args.dry_run:
        plan = make_plan(lint.verdicts, target, None, states.__getitem__, replace=args.replace)
        outcomes = _preview(plan)
    else:
        plan, outcomes = _upload(lint.verdicts, target, options, states, args.replace)
    if not lint.verdicts:
        print("soundlint: warning: no templates found to upload", file=sys.stderr)
    if args.output_format == "json":
        print(json.dumps(_json(plan, outcomes, lint, options, args.dry_run), indent=2))
    else:
        sys.stdout.write(_text(plan, outcomes, args.dry_run))
    return EXIT_CLEAN if all(outcome.status.ok for outcome in outcomes) else EXIT_FAILED


def _preview(plan: Plan) -> list[Outcome]:
    from soundlint_audiostack.execute import settled

    return [settled(step) for step in plan.steps]


def _upload(
    verdicts: Sequence[core.TemplateVerdict],
    target: str,
    options: UploadOptions,
    states: dict[Path, UploadState],
    replace: bool,
) -> tuple[Plan, list[Outcome]]:
    from soundlint_audiostack import progress
    from soundlint_audiostack.client import ApiError, AudioStackClient
    from soundlint_audiostack.execute import Executor, Outcome, settled

    if not needs_listing(verdicts):
        plan = make_plan(verdicts, target, set(), states.__getitem__)
        return plan, _preview(plan)
    assert options.key is not None
    with AudioStackClient(options.api_base, options.key, options.org, options.tuning) as client:
        try:
            remote = client.list_templates()
        except ApiError as error:
            plan = make_plan(verdicts, target, set(), states.__getitem__)
            failed = [Outcome(s.verdict, Status.FAILED, error=str(error)) for s in plan.steps]
            return plan, [
                fail if step.sends else settled(step)
                for step, fail in zip(plan.steps, failed, strict=True)
            ]
        plan = make_plan(verdicts, target, remote, states.__getitem__, replace=replace)
        live = progress.for_terminal()
        concurrency = options.tuning.concurrency
        executor = Executor(client, states.__getitem__, live or progress.Silent(), concurrency)
        with live or contextlib.nullcontext():
            return plan, executor.run(plan)


# Output --------------------------------------------------------------------------------


def _text(plan: Plan, outcomes: list[Outcome], dry_run: bool) -> str:
    from soundlint_audiostack.client import TEMPLATES

    lines = (
        [f"GET {TEMPLATES}"] if dry_run and needs_listing([s.verdict for s in plan.steps]) else []
    )
    width = max((len(outcome.status.value) for outcome in outcomes), default=0)
    for step, outcome in zip(plan.steps, outcomes, strict=True):
        lines.append(f"{outcome.status.value:<{width}}  {outcome.verdict.name}{_detail(outcome)}")
        if dry_run:
            lines.extend(f"    {request}" for request in step.requests())
    lines.append(_summary(outcomes))
    return "\n".join(lines) + "\n"


def _detail(outcome: Outcome) -> str:
    verdict = outcome.verdict
    if outcome.status is Status.BLOCKED:
        return f": {verdict.errors} error{'' if verdict.errors == 1 else 's'} (see above)"
    if outcome.error:
        return f": {outcome.error}"
    if outcome.status is Status.UPLOADED:
        count = len(outcome.file_ids)
        return f" ({count} segment{'' if count == 1 else 's'})"
    return ""


def _summary(outcomes: list[Outcome]) -> str:
    if not outcomes:
        return "Nothing to upload."
    counts = {status: sum(1 for o in outcomes if o.status is status) for status in Status}
    parts = [f"{count} {status.value}" for status, count in counts.items() if count]
    return f"{', '.join(parts)}."


def _json(
    plan: Plan,
    outcomes: list[Outcome],
    lint: core.LintOutcome,
    options: UploadOptions,
    dry_run: bool,
) -> dict[str, Any]:
    from soundlint.paths import relative_path

    templates = []
    for step, outcome in zip(plan.steps, outcomes, strict=True):
        verdict = outcome.verdict
        entry: dict[str, Any] = {
            "name": verdict.name,
            "path": relative_path(verdict.directory, Path.cwd()),
            "status": outcome.status.value,
        }
        if outcome.status is Status.BLOCKED:
            entry["errors"] = verdict.errors
        if outcome.error:
            entry["error"] = outcome.error
        if outcome.status is not Status.BLOCKED:
            entry["segments"] = [
                {
                    "name": segment.name,
                    "file": relative_path(segment.path, Path.cwd()),
                    "file_id": outcome.file_ids.get(segment.name),
                }
                for segment in verdict.segments
            ]
        if dry_run:
            entry["requests"] = step.requests()
        templates.append(entry)
    return {
        "version": 1,
        "api_base": options.api_base,
        "dry_run": dry_run,
        "templates": templates,
        "lint": lint.as_json(),
    }
