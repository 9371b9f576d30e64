"""The self-contained HTML report of a run: per tutorial passed/failed/blocked, each divergence
with the doc's lines beside the request sent and the response received, filters by rule and
status, and the trend over earlier runs. The replay scrubbed what it recorded; the results, the
doc's lines (a literal token in a curl command) and the page are scrubbed again here."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

from doctract.checks import RULES
from doctract.lines import split_lines
from doctract.report.results import STATUSES, HistoryPoint
from doctract.secrets import NO_SECRETS, Scrubber

EXCERPT_CONTEXT = 3
BLOCK_LIMIT = 40


@dataclass(frozen=True)
class Excerpt:
    first: int
    lines: tuple[str, ...]
    marked: int

    def numbered(self) -> list[tuple[int, str, bool]]:
        return [
            (self.first + i, text, self.first + i == self.marked)
            for i, text in enumerate(self.lines)
        ]


DocReader = Callable[[str], list[str] | None]


def read_doc_lines(path: str) -> list[str] | None:
    try:
        return split_lines(Path(path).read_text(encoding="utf-8-sig", errors="replace"))
    except OSError:
        return None


def finding_excerpt(lines: list[str], line: int, whole_block: bool = False) -> Excerpt:
    """Lines around `line`; with `whole_block`, down to the end of its code block."""
    first = max(1, line - EXCERPT_CONTEXT)
    last = min(len(lines), line + EXCERPT_CONTEXT)
    if whole_block:
        block = request_excerpt(lines, line)
        last = max(last, block.first + len(block.lines) - 1)
    return Excerpt(first, tuple(lines[first - 1 : last]), line)


def request_excerpt(lines: list[str], line: int) -> Excerpt:
    """The documented command: from its line to the end of its code block (or BLOCK_LIMIT)."""
    last = line
    while last < len(lines) and last - line < BLOCK_LIMIT:
        if lines[last].lstrip().startswith(("```", "~~~")):
            break
        last += 1
    return Excerpt(line, tuple(lines[line - 1 : last]), line)


def _request_for(tutorial: dict[str, Any], line: int) -> dict[str, Any] | None:
    before = [r for r in tutorial["requests"] if r["line"] <= line]
    return max(before, key=lambda r: r["line"]) if before else None


def pretty(text: str | None) -> str:
    """JSON indented for reading; anything else as it is."""
    if not text:
        return ""
    try:
        return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    except (ValueError, RecursionError):  # not JSON, or nested too deeply to parse
        return text


def _with_texts(request: dict[str, Any] | None) -> dict[str, Any] | None:
    if request is None:
        return None
    target = request["path"] + (f"?{request['query']}" if request["query"] else "")
    sent = f"{request['method']} {target}"
    if request["request_body"]:
        sent += "\n\n" + pretty(request["request_body"])
    return {**request, "sent_text": sent, "received_text": pretty(request["response"])}


def view_model(
    tutorials: Sequence[dict[str, Any]], read: DocReader = read_doc_lines
) -> list[dict[str, Any]]:
    out = []
    for tutorial in tutorials:
        lines = read(tutorial["path"]) or []
        findings = []
        for finding in tutorial["findings"]:
            request = _with_texts(_request_for(tutorial, finding["line"]))
            evidence = finding["evidence"]
            if request and evidence and pretty(evidence) == request["received_text"]:
                evidence = None  # the response is shown already
            findings.append(
                {
                    **finding,
                    "evidence": evidence,
                    "excerpt": finding_excerpt(
                        lines,
                        finding["line"],
                        whole_block=bool(request and request["line"] == finding["line"]),
                    )
                    if lines
                    else None,
                    "request": request,
                    "documented": request_excerpt(lines, request["line"])
                    if lines and request and request["line"] != finding["line"]
                    else None,
                }
            )
        out.append(
            {
                **tutorial,
                "findings": findings,
                "rules": sorted({f["rule"] for f in tutorial["findings"]}),
                "serious": sum(1 for f in tutorial["findings"] if f["severity"] != "info"),
            }
        )
    return out


def trend_bars(points: Sequence[HistoryPoint], current: dict[str, Any]) -> list[dict[str, Any]]:
    """Stacked bars (oldest first, this run last) scaled to the largest run."""
    runs = [(p.started, p.summary) for p in points] + [("this run", current)]
    runs = runs[-30:]
    tallest = max((max(1, int(s.get("tutorials", 0))) for _, s in runs), default=1)
    bars = []
    for index, (label, summary) in enumerate(runs):
        y = 100.0
        parts = []
        for status in ("passed", "blocked", "failed"):
            height = 100.0 * int(summary.get(status, 0)) / tallest
            y -= height
            parts.append({"status": status, "y": round(y, 2), "height": round(height, 2)})
        bars.append(
            {
                "x": index * 24 + TREND_LEFT,
                "label": label,
                "summary": summary,
                "parts": parts,
                "number": index + 1,
                "scale": tallest,
            }
        )
    return bars


TREND_LEFT = 34  # room for the count axis of the trend chart


@lru_cache(maxsize=1)
def _template() -> jinja2.Template:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("doctract.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env.get_template("report.html.j2")


def scrubbed_reader(read: DocReader, scrubber: Scrubber) -> DocReader:
    """The doc's lines with the credentials they show masked (line numbers kept)."""

    def scrubbed(path: str) -> list[str] | None:
        lines = read(path)
        return None if lines is None else split_lines(scrubber.text("\n".join(lines)))

    return scrubbed


def html_report(
    results: dict[str, Any],
    history: Sequence[HistoryPoint] = (),
    read: DocReader = read_doc_lines,
    scrubber: Scrubber = NO_SECRETS,
) -> str:
    """The report; the results' strings and the doc excerpts, then the page, scrubbed."""
    results = scrubber.data(results)
    tutorials = view_model(results["tutorials"], scrubbed_reader(read, scrubber))
    rules = sorted({rule for t in tutorials for rule in t["rules"]})
    page = _template().render(
        results=results,
        summary=results["summary"],
        tutorials=tutorials,
        rules=[(rule, RULES[rule].summary if rule in RULES else "") for rule in rules],
        statuses=STATUSES,
        bars=trend_bars(history, results["summary"]) if history else [],
        problems=results.get("problems", []),
        left=TREND_LEFT,
    )
    return scrubber.markup(page)
