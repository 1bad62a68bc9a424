"""``soundlint upload``: lint, then push the templates that pass, whole or not at all."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from soundlint.config import ConfigError
from soundlint_audiostack import core
from soundlint_audiostack.options import KEY_VARIABLE, TABLE, UploadOptions, resolve
from soundlint_audiostack.plan import (
    Action,
    Plan,
    Status,
    Step,
    make_plan,
    needs_listing,
    version_of,
)
from soundlint_audiostack.proxies import Proxy, check_key_route, proxy_for
from soundlint_audiostack.state import STATE_FILE, UploadState, relative

if TYPE_CHECKING:
    from soundlint.api import Session
    from soundlint_audiostack.client import AudioStackClient, Listed
    from soundlint_audiostack.execute import Outcome

EXIT_CLEAN, EXIT_FINDINGS, EXIT_FAILED, EXIT_WORSE = 0, 1, 2, 3
"""0 all uploaded, replaced, adopted or unchanged; 1 blocked by lint or by a template of the
same name not recorded as this project's; 2 the run could not do its work (usage,
configuration, the key refused, the network, a proxy, the API failing); 3 the server was left
worse than the run found it."""

DRY_RUN, PLAN, UPLOAD = "dry-run", "plan", "upload"


@dataclass(frozen=True)
class Row:
    """One template's line in the report."""

    outcome: Outcome
    action: str
    """What the run does (or would do) with it: an ``Action`` value, or ``adopt``."""
    requests: tuple[str, ...] = ()
    note: str | None = None
    """What a dry run cannot know, or what adopting means."""

    @property
    def notes(self) -> list[str]:
        return [note for note in (self.note, self.outcome.note) if note]


@dataclass(frozen=True)
class Report:
    mode: str
    target: str
    rows: tuple[Row, ...]
    errors: tuple[str, ...]
    """What stopped the run (or part of it), one message each."""
    repairs: tuple[str, ...] = ()
    """What killed runs left unfinished, which an upload repairs first: what it does about
    each (a dry run: only what the journal says), or what it did."""

    @property
    def exit_status(self) -> int:
        statuses = {row.outcome.status for row in self.rows}
        if Status.BROKEN in statuses:
            return EXIT_WORSE
        if self.errors or Status.FAILED in statuses:
            return EXIT_FAILED
        if statuses & {Status.BLOCKED, Status.SKIPPED_EXISTS}:
            return EXIT_FINDINGS
        return EXIT_CLEAN


def run(args: argparse.Namespace, session: Session) -> int:
    """Lint, plan, upload (or show the plan), report; the exit status. With JSON output, a
    run stopped by a usage or configuration error still prints the document, saying why."""
    try:
        return _run(args, session)
    except ConfigError as error:
        if args.output_format == "json":
            print(json.dumps(_stopped_json(_mode(args), str(error)), indent=2))
        raise


def _mode(args: argparse.Namespace) -> str:
    return DRY_RUN if args.dry_run else PLAN if args.plan else UPLOAD


def _run(args: argparse.Namespace, session: Session) -> int:
    for path in args.paths:
        if not os.path.lexists(path):
            raise ConfigError(f"path not found: {path}")
    table, root = core.upload_table(session)
    options = resolve(table, root, args.api_base)
    proxy = proxy_for(options.api_base)
    check_key_route(options.api_base, proxy)
    mode = _mode(args)
    if options.key is None and mode != DRY_RUN:
        raise ConfigError(
            f"no API key: set {KEY_VARIABLE}, or key-file in {TABLE}; nothing was uploaded"
        )
    lint = core.lint_templates(session, args.paths, args)
    adopt = _adoptable(args.adopt, lint.verdicts)
    blocked = adopt & {verdict.name for verdict in lint.verdicts if verdict.errors}
    adopt -= blocked
    roots = {verdict.root for verdict in lint.verdicts}
    states = {root: UploadState.load(root, writable=mode == UPLOAD) for root in roots}
    if args.output_format == "text":
        sys.stdout.write(lint.render("text"))  # before the upload, which may take a while
        sys.stdout.flush()
    target = options.api_base + (f" (organisation {options.org})" if options.org else "")
    upload = Upload(options, proxy, target, states, args)
    report = upload.dry_run(lint.verdicts, adopt) if mode == DRY_RUN else upload.run(lint, adopt)
    report = _not_adopted(report, blocked)
    if not lint.verdicts:
        print("soundlint: warning: no templates found to upload", file=sys.stderr)
    if args.output_format == "json":
        print(json.dumps(_json(report, lint, options), indent=2))
    else:
        sys.stdout.write(_text(report))
    for error in report.errors:
        print(f"soundlint: error: {error}", file=sys.stderr)
    return report.exit_status


def _not_adopted(report: Report, blocked: set[str]) -> Report:
    """Say, for each template ``--adopt`` named that lint blocked, that it was not adopted."""
    rows = tuple(
        replace(row, note=_BLOCKED_ADOPT.format(name=row.outcome.verdict.name))
        if row.outcome.verdict.name in blocked
        else row
        for row in report.rows
    )
    return replace(report, rows=rows)


def _adoptable(names: Sequence[str], verdicts: Sequence[core.TemplateVerdict]) -> set[str]:
    """The names ``--adopt`` gave, each a template among those linted."""
    known = {verdict.name for verdict in verdicts}
    for name in names:
        if name not in known:
            raise ConfigError(
                f"--adopt {name}: no template of that name among those linted "
                f"({', '.join(sorted(known)) or 'none'})"
            )
    return set(names)


def _unadoptable(
    adopt: set[str],
    verdicts: Sequence[core.TemplateVerdict],
    remote: Mapping[str, Listed],
    api_base: str,
) -> str | None:
    """Why ``--adopt`` cannot be done as asked, from the listing: a name it does not show, or
    segments other than the template's."""
    missing = sorted(name for name in adopt if name not in remote)
    if missing:
        return (
            f"--adopt {', '.join(missing)}: the listing of {api_base} shows no template of "
            "that name; nothing was adopted or uploaded"
        )
    for verdict in verdicts:
        listed = remote[verdict.name].segments if verdict.name in adopt else None
        ours = sorted(segment.name for segment in verdict.segments)
        if listed is not None and sorted(listed) != ours:
            return (
                f"--adopt {verdict.name}: the listing shows its segments as "
                f"{', '.join(sorted(listed)) or 'none'}, not as template.toml has them "
                f"({', '.join(ours)}); nothing was adopted or uploaded"
            )
    return None


class Upload:
    """The run against the server: a dry run, a plan read from the listing, or the upload."""

    def __init__(
        self,
        options: UploadOptions,
        proxy: Proxy | None,
        target: str,
        states: dict[Path, UploadState],
        args: argparse.Namespace,
    ) -> None:
        self._options = options
        self._proxy = proxy
        self._target = target
        self._states = states
        self._args = args

    def dry_run(self, verdicts: Sequence[core.TemplateVerdict], adopt: set[str]) -> Report:
        """The plan from this checkout's state file alone: connect to nothing."""
        plan = self._plan(verdicts, None)
        rows = []
        for step in plan.steps:
            if step.verdict.name in adopt and step.action is not Action.BLOCK:
                rows.append(_adopt_row(step, _DRY_RUN_ADOPT))
            else:
                rows.append(_planned(step, _guess(step)))
        return Report(DRY_RUN, self._target, tuple(rows), (), _repairs(plan))

    def run(self, lint: core.LintOutcome, adopt: set[str]) -> Report:
        """Read the listing; then adopt, upload and replace (or, for ``--plan``, say so)."""
        from soundlint_audiostack.client import TEMPLATES, ApiError

        verdicts = lint.verdicts
        mode = PLAN if self._args.plan else UPLOAD
        if not needs_listing(verdicts):
            plan = self._plan(verdicts, {})
            return Report(mode, self._target, tuple(map(_settled, plan.steps)), ())
        try:
            client = self._client()
        except ApiError as error:  # a proxy that cannot be used
            return self._unlisted(verdicts, mode, str(error))
        with client:
            try:
                remote = client.list_templates()
            except ApiError as error:
                listing = f"GET {self._options.api_base}{TEMPLATES}"
                return self._unlisted(verdicts, mode, f"{error} ({listing})")
            refused = _unadoptable(adopt, verdicts, remote, self._options.api_base)
            if refused:
                return self._unlisted(verdicts, mode, refused)
            plan = self._plan(verdicts, remote)
            if mode == PLAN:
                rows = [
                    _adopt_row(step, _ADOPT)
                    if step.verdict.name in adopt and step.action is not Action.BLOCK
                    else _planned(step, None)
                    for step in plan.steps
                ]
                return Report(PLAN, self._target, tuple(rows), (), _repairs(plan))
            return self._upload(client, plan, remote, adopt)

    def _upload(
        self,
        client: AudioStackClient,
        plan: Plan,
        remote: Mapping[str, Listed],
        adopt: set[str],
    ) -> Report:
        from soundlint_audiostack import progress
        from soundlint_audiostack.execute import Executor

        adopted = {
            step.verdict.name: self._adopt(step, remote[step.verdict.name])
            for step in plan.steps
            if step.verdict.name in adopt and step.action is not Action.BLOCK
        }
        rest = replace(plan, steps=tuple(s for s in plan.steps if s.verdict.name not in adopted))
        display = progress.chosen(rest, self._args.progress)
        client.on_sent = display.sent
        concurrency = self._options.tuning.concurrency
        executor = Executor(client, self._states.__getitem__, display, concurrency)
        with display:
            outcomes = iter(executor.run(rest))
        rows = [
            adopted.get(step.verdict.name) or Row(next(outcomes), step.action.value)
            for step in plan.steps
        ]
        return Report(UPLOAD, self._target, tuple(rows), (), tuple(executor.repairs))

    def _adopt(self, step: Step, listed: Listed) -> Row:
        """Record the listed template as this project's; send nothing."""
        from soundlint_audiostack.execute import Outcome

        verdict = step.verdict
        state = self._states[verdict.root]
        version = version_of(listed)
        file_ids = version.file_ids if version else {}
        try:
            state.adopt(
                self._target,
                verdict.name,
                server_id=listed.server_id,
                description=listed.description,
                file_ids=file_ids,
                directory=relative(verdict.directory, verdict.root),
            )
        except OSError as error:
            why = f"not adopted: cannot write {state.path} ({error.strerror or error})"
            return Row(Outcome(verdict, Status.FAILED, error=why), "adopt")
        note = _ADOPTED if version else _ADOPTED_UNLISTED
        return Row(Outcome(verdict, Status.ADOPTED, file_ids=file_ids), "adopt", note=note)

    def _plan(
        self, verdicts: Sequence[core.TemplateVerdict], remote: Mapping[str, Listed] | None
    ) -> Plan:
        return make_plan(
            verdicts, self._target, remote, self._states.__getitem__, replace=self._args.replace
        )

    def _client(self) -> AudioStackClient:
        from soundlint_audiostack.client import AudioStackClient

        options = self._options
        assert options.key is not None
        return AudioStackClient(
            options.api_base, options.key, options.org, options.tuning, proxy=self._proxy
        )

    def _unlisted(self, verdicts: Sequence[core.TemplateVerdict], mode: str, error: str) -> Report:
        """The report of a run stopped before any template was sent: each that passed lint
        failed, with the reason."""
        from soundlint_audiostack.execute import Outcome

        rows = []
        for step in self._plan(verdicts, {}).steps:
            if step.action is Action.BLOCK:
                rows.append(_settled(step))
            else:
                failed = Outcome(step.verdict, Status.FAILED, error=error)
                rows.append(Row(failed, step.action.value))
        return Report(mode, self._target, tuple(rows), (error,))


_DRY_RUN_ADOPT = (
    f"recorded in {STATE_FILE.as_posix()} as this project's if the listing shows it "
    "(a dry run does not read it: --plan does); nothing is sent"
)
_ADOPT = f"recorded in {STATE_FILE.as_posix()} as this project's; nothing is sent"
_ADOPTED = (
    "recorded as this project's; the next run replaces it with this checkout's version "
    "unless they are known to be the same"
)
_BLOCKED_ADOPT = (
    "not adopted (--adopt {name}): a template with lint errors is neither adopted nor uploaded"
)
_ADOPTED_UNLISTED = (
    "recorded as this project's, but the listing does not show its segments' files, so a "
    "failed replacement could not restore it: the next run replaces it only with --replace"
)


def _repairs(plan: Plan) -> tuple[str, ...]:
    return tuple(repair.describe() for repair in plan.repairs)


def _guess(step: Step) -> str | None:
    """What a dry run, which does not read the listing, cannot know about a step."""
    if step.action is Action.UPLOAD:
        return (
            "if the server has no template of that name; a dry run does not read the "
            "listing, --plan does"
        )
    if step.action in (Action.SKIP_UNCHANGED, Action.REPLACE):
        return "if the server still holds what this checkout's state file records; --plan checks"
    return None


def _planned(step: Step, note: str | None) -> Row:
    from soundlint_audiostack.execute import Outcome, settled

    outcome = settled(step)
    if step.sends:
        outcome = Outcome(step.verdict, Status.PLANNED)
    return Row(outcome, step.action.value, tuple(step.requests()), note)


def _adopt_row(step: Step, note: str) -> Row:
    from soundlint_audiostack.execute import Outcome

    return Row(Outcome(step.verdict, Status.PLANNED), "adopt", (), note)


def _settled(step: Step) -> Row:
    from soundlint_audiostack.execute import settled

    return Row(settled(step), step.action.value)


# Output --------------------------------------------------------------------------------


def _text(report: Report) -> str:
    from soundlint_audiostack.client import TEMPLATES

    label = "repaired" if report.mode == UPLOAD else "repair"
    lines = [_heading(report), *(f"{label}  {repair}" for repair in report.repairs)]
    sends = [row for row in report.rows if row.action != Action.BLOCK.value]
    if report.mode == DRY_RUN and sends:
        lines.append(f"GET {TEMPLATES}")
    width = max((len(_label(report, row)) for row in report.rows), default=0)
    for row in report.rows:
        lines.append(f"{_label(report, row):<{width}}  {row.outcome.verdict.name}{_detail(row)}")
        lines.extend(f"    ({note})" for note in row.notes)
        lines.extend(f"    {request}" for request in row.requests)
    lines.append(_summary(report))
    return "\n".join(lines) + "\n"


def _heading(report: Report) -> str:
    if report.mode == DRY_RUN:
        return (
            f"Dry run for {report.target}: the requests an upload would send, in order; "
            "none is sent."
        )
    if report.mode == PLAN:
        return f"Plan for {report.target}, from its listing: what an upload would do."
    return f"Uploading to {report.target}:"


def _label(report: Report, row: Row) -> str:
    """A dry run or plan shows what it would do; a run, what became of the template."""
    if report.mode != UPLOAD and row.outcome.status is Status.PLANNED:
        return row.action
    return row.outcome.status.value


def _detail(row: Row) -> str:
    outcome = row.outcome
    verdict = outcome.verdict
    if outcome.status is Status.BLOCKED:
        return f": {verdict.errors} error{'' if verdict.errors == 1 else 's'} (see above)"
    if outcome.error:
        return f": {outcome.error}"
    if outcome.status in (Status.UPLOADED, Status.REPLACED):
        count = len(outcome.file_ids)
        return f" ({count} segment{'' if count == 1 else 's'})"
    return ""


def _counts(report: Report) -> dict[str, int]:
    counts: dict[str, int] = {}
    for row in report.rows:
        label = _label(report, row)
        counts[label] = counts.get(label, 0) + 1
    return counts


def _summary(report: Report) -> str:
    if not report.rows:
        return "Nothing to upload."
    parts = [f"{count} {label}" for label, count in _counts(report).items()]
    return f"{', '.join(parts)}."


def _stopped_json(mode: str, error: str) -> dict[str, Any]:
    """The JSON document of a run stopped before it linted or listed anything."""
    return {
        "version": 2,
        "mode": mode,
        "target": None,
        "exit_status": EXIT_FAILED,
        "summary": {},
        "errors": [error],
        "repairs": [],
        "templates": [],
        "lint": None,
    }


def _json(report: Report, lint: core.LintOutcome, options: UploadOptions) -> dict[str, Any]:
    from soundlint.paths import relative_path

    templates = []
    for row in report.rows:
        outcome = row.outcome
        verdict = outcome.verdict
        entry: dict[str, Any] = {
            "name": verdict.name,
            "path": relative_path(verdict.directory, Path.cwd()),
            "status": outcome.status.value,
            "action": row.action,
            "lint_errors": verdict.errors,
        }
        if outcome.error:
            entry["error"] = outcome.error
        if row.notes:
            entry["notes"] = row.notes
        if outcome.status is not Status.BLOCKED:
            entry["segments"] = [
                {
                    "name": segment.name,
                    "file": relative_path(segment.path, Path.cwd()),
                    "file_id": outcome.file_ids.get(segment.name),
                }
                for segment in verdict.segments
            ]
        if report.mode != UPLOAD:
            entry["requests"] = list(row.requests)
        templates.append(entry)
    return {
        "version": 2,
        "mode": report.mode,
        "target": {"api_base": options.api_base, "organisation": options.org},
        "exit_status": report.exit_status,
        "summary": _counts(report),
        "errors": list(report.errors),
        "repairs": list(report.repairs),
        "templates": templates,
        "lint": lint.as_json(),
    }
