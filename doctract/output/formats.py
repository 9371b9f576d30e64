"""Formats of a lint result: findings-contract JSON, SARIF 2.1.0, GitHub annotations, and the
registry of every format (text and markdown live in their own modules)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path, PurePath
from typing import Any, TextIO
from urllib.parse import quote

from doctract import __version__
from doctract.checks import RULES
from doctract.findings import Finding
from doctract.lint import LintResult
from doctract.output.markdown import render_markdown
from doctract.output.text import render_text
from doctract.secrets import NO_SECRETS, Scrubber
from doctract.secrets.stream import scrubbing


def summary(result: LintResult) -> dict[str, Any]:
    by_severity = Counter(f.severity.value for f in result.findings)
    return {
        "files": result.files,
        "findings": len(result.findings),
        "errors": by_severity.get("error", 0),
        "warnings": by_severity.get("warning", 0),
        "info": by_severity.get("info", 0),
        "by_rule": dict(sorted(Counter(f.rule for f in result.findings).items())),
        "baselined": result.baselined,
    }


def render_json(result: LintResult, out: TextIO) -> None:
    payload = {"findings": [f.to_dict() for f in result.findings], "summary": summary(result)}
    json.dump(payload, out, indent=2)
    out.write("\n")


_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def _sarif_rule(rule_id: str) -> dict[str, Any]:
    rule = RULES[rule_id]
    stage = f"doctract {rule.stage}"
    return {
        "id": rule_id,
        "name": "".join(part.title() for part in rule_id.split("-")),
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.doc},
        "defaultConfiguration": {"level": _SARIF_LEVEL[rule.severity.value]},
        "help": {
            "text": f"{rule.doc}\n\nReported by `{stage}`. Silence it with --ignore {rule_id}.",
            "markdown": f"**{rule_id}** ({rule.severity.value}, `{stage}`)\n\n{rule.doc}\n\n"
            f'Silence it with `--ignore {rule_id}` or `ignore = ["{rule_id}"]` in the '
            "configuration (`.doctract.toml` or `[tool.doctract]`).",
        },
        "properties": {"tags": ["documentation", "api", rule.stage]},
    }


def render_sarif(result: LintResult, out: TextIO) -> None:
    used = sorted({f.rule for f in result.findings} | set(RULES))
    index = {rule_id: i for i, rule_id in enumerate(used)}
    results = [
        _sarif_result(f, index[f.rule], result.fingerprint(i), bool(result.baselined))
        for i, f in enumerate(result.findings)
    ]
    payload = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "doctract",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": "https://github.com/OWNER/doctract#readme",
                        "rules": [_sarif_rule(rule_id) for rule_id in used],
                    }
                },
                "invocations": [{"executionSuccessful": True}],
                "columnKind": "unicodeCodePoints",
                "results": results,
                "properties": {"baselined": result.baselined, "files": result.files},
            }
        ],
    }
    json.dump(payload, out, indent=2)
    out.write("\n")


def artifact_uri(path: str) -> str:
    """A relative path stays relative (code scanning resolves it from the checkout)."""
    posix = PurePath(path).as_posix() if "\\" not in path else path.replace("\\", "/")
    if PurePath(posix).is_absolute():
        return Path(posix).as_uri()
    return quote(posix.removeprefix("./"), safe="/")


def _sarif_result(
    finding: Finding, rule_index: int, fingerprint: str, baselined: bool
) -> dict[str, Any]:
    text = finding.message + (f" Hint: {finding.hint}" if finding.hint else "")
    region: dict[str, Any] = {"startLine": finding.line, "startColumn": finding.column}
    if finding.evidence:
        region["snippet"] = {"text": finding.evidence}
    entry: dict[str, Any] = {
        "ruleId": finding.rule,
        "ruleIndex": rule_index,
        "level": _SARIF_LEVEL[finding.severity.value],
        "message": {"text": text},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": artifact_uri(finding.path)},
                    "region": region,
                }
            }
        ],
    }
    if fingerprint:
        entry["partialFingerprints"] = {"doctract/v1": fingerprint}
    if baselined:
        entry["baselineState"] = "new"
    if finding.hint:
        entry["properties"] = {"hint": finding.hint}
    return entry


_GITHUB_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def _escape_property(text: str) -> str:
    return (
        text.replace("%", "%25")
        .replace("\r", "%0D")
        .replace("\n", "%0A")
        .replace(":", "%3A")
        .replace(",", "%2C")
    )


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def render_github(result: LintResult, out: TextIO) -> None:
    for f in result.findings:
        message = f.message + (f" ({f.hint})" if f.hint else "")
        out.write(
            f"::{_GITHUB_LEVEL[f.severity.value]} file={_escape_property(f.path)},line={f.line},"
            f"col={f.column},title={_escape_property(f.rule)}::{_escape_data(message)}\n"
        )
    s = summary(result)
    out.write(
        f"doctract: {s['findings']} findings ({s['errors']} errors, {s['warnings']} "
        f"warnings, {s['info']} info) in {s['files']} files\n"
    )


FORMATS: dict[str, Callable[[LintResult, TextIO], None]] = {
    "text": render_text,
    "json": render_json,
    "sarif": render_sarif,
    "github": render_github,
    "markdown": render_markdown,
}


def scrubbed(result: LintResult, scrubber: Scrubber) -> LintResult:
    """The result with every finding's message, hint and evidence scrubbed (fingerprints,
    made from the documents, stay)."""
    return replace(
        result,
        findings=tuple(
            replace(
                f,
                message=scrubber.text(f.message),
                hint=scrubber.text(f.hint),
                evidence=scrubber.text(f.evidence) if f.evidence else f.evidence,
            )
            for f in result.findings
        ),
    )


def render(result: LintResult, fmt: str, out: TextIO, scrubber: Scrubber = NO_SECRETS) -> None:
    """Findings scrubbed, then everything written scrubbed again (doctract.secrets)."""
    FORMATS[fmt](scrubbed(result, scrubber), scrubbing(out, scrubber))
