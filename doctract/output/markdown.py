"""The pull-request comment: counts, a table of the (new) findings linking to their lines, and
collapsed details with hints and evidence. Short by design: at most MAX_ROWS rows."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Mapping
from typing import TextIO

from doctract.lint import LintResult

MAX_ROWS = 50
_ICON = {"error": ":x:", "warning": ":warning:", "info": ":information_source:"}


def link_base(env: Mapping[str, str] | None = None) -> str:
    """`https://github.com/OWNER/REPO/blob/SHA/` inside GitHub Actions, else "" (relative)."""
    env = os.environ if env is None else env
    server, repo = env.get("GITHUB_SERVER_URL"), env.get("GITHUB_REPOSITORY")
    sha = env.get("DOCTRACT_LINK_SHA") or env.get("GITHUB_SHA")
    if server and repo and sha:
        return f"{server.rstrip('/')}/{repo}/blob/{sha}/"
    return ""


def _cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").replace("`", "'")


def render_markdown(result: LintResult, out: TextIO, base: str | None = None) -> None:
    base = link_base() if base is None else base
    counts = Counter(f.severity.value for f in result.findings)
    noun = "new findings" if result.baselined else "findings"
    files = f"{result.files} file{'s' if result.files != 1 else ''}"
    if not result.findings:
        out.write(f"### doctract: no {noun} in {files} :white_check_mark:\n")
    else:
        out.write(
            f"### doctract: {len(result.findings)} {noun} in {files}: "
            f"{counts['error']} errors, {counts['warning']} warnings, {counts['info']} info\n"
        )
    if result.baselined:
        out.write(f"\n_{result.baselined} known findings are hidden by the baseline._\n")
    if not result.findings:
        return
    out.write("\n| | rule | where | finding |\n| --- | --- | --- | --- |\n")
    for f in result.findings[:MAX_ROWS]:
        path = f.path.replace("\\", "/").removeprefix("./")
        where = f"[{_cell(path)}:{f.line}]({base}{path}#L{f.line})"
        out.write(f"| {_ICON[f.severity.value]} | `{f.rule}` | {where} | {_cell(f.message)} |\n")
    if len(result.findings) > MAX_ROWS:
        out.write(f"\n…and {len(result.findings) - MAX_ROWS} more (see the full report).\n")
    detailed = [f for f in result.findings[:MAX_ROWS] if f.hint or f.evidence]
    if detailed:
        out.write("\n<details><summary>Hints and evidence</summary>\n\n")
        for f in detailed:
            line = f"- **{_cell(f.path)}:{f.line}** `{f.rule}`"
            if f.hint:
                line += f": {_cell(f.hint)}"
            if f.evidence:
                line += f" (evidence: `{_cell(f.evidence)[:200]}`)"
            out.write(line + "\n")
        out.write("\n</details>\n")
