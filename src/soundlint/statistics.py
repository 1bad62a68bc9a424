"""``check --statistics``: how many findings of each rule, most frequent first, like ruff's."""

from __future__ import annotations

import json
from collections import Counter

from soundlint.report import Report, text


def render(report: Report, output_format: str) -> str:
    """A line a rule (``count  code  name``), or a JSON list for ``--output-format json``; in
    text, a run without findings says so with the report's summary line."""
    counts = Counter(diagnostic.code for diagnostic in report.diagnostics)
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    names = {code: report.rules[code].name if code in report.rules else "" for code in counts}
    if output_format == "json":
        listing = [{"code": code, "name": names[code], "count": n} for code, n in ordered]
        return json.dumps(listing, indent=2) + "\n"
    if not ordered:
        return text.summarize(report) + "\n"
    width = len(str(ordered[0][1]))
    code_width = max(len(code) for code in counts)
    return "".join(
        f"{count:>{width}}\t{code:<{code_width}}\t{names[code]}\n" for code, count in ordered
    )
