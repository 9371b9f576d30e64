"""Machine formats of a lint result: findings-contract JSON, SARIF 2.1.0, GitHub annotations."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from typing import Any, TextIO

from doctract import __version__
from doctract.checks import RULES
from doctract.findings import Finding
from doctract.lint import LintResult
from doctract.output.text import render_text


def summary(result: LintResult) -> dict[str, Any]:
    by_severity = Counter(f.severity.value for f in result.findings)
    return {
        "files": result.files,
        "findings": len(result.findings),
        "errors": by_severity.get("error", 0),
        "warnings": by_severity.get("warning", 0),
        "info": by_severity.get("info", 0),
        "by_rule": dict(sorted(Counter(f.rule for f in result.findings).items())),
    }


def render_json(result: LintResult, out: TextIO) -> None:
    payload = {"findings": [f.to_dict() for f in result.findings], "summary": summary(result)}
    json.dump(payload, out, indent=2)
    out.write("\n")


_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def render_sarif(result: LintResult, out: TextIO) -> None:
    used = sorted({f.rule for f in result.findings} | set(RULES))
    index = {rule_id: i for i, rule_id in enumerate(used)}
    rules = [
        {
            "id": rule_id,
            "name": "".join(part.title() for part in rule_id.split("-")),
            "shortDescription": {"text": RULES[rule_id].summary},
            "fullDescription": {"text": RULES[rule_id].doc},
            "defaultConfiguration": {"level": _SARIF_LEVEL[RULES[rule_id].severity.value]},
            "help": {"text": RULES[rule_id].doc},
        }
        for rule_id in used
    ]
    results = [_sarif_result(f, index[f.rule]) for f in result.findings]
    payload = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "doctract",
                        "version": __version__,
                        "informationUri": "https://pypi.org/project/doctract/",
                        "rules": rules,
                    }
                },
                "results": results,
            }
        ],
    }
    json.dump(payload, out, indent=2)
    out.write("\n")


def _sarif_result(finding: Finding, rule_index: int) -> dict[str, Any]:
    text = finding.message + (f" Hint: {finding.hint}" if finding.hint else "")
    return {
        "ruleId": finding.rule,
        "ruleIndex": rule_index,
        "level": _SARIF_LEVEL[finding.severity.value],
        "message": {"text": text},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": finding.path.replace("\\", "/")},
                    "region": {"startLine": finding.line, "startColumn": finding.column},
                }
            }
        ],
    }


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
}


def render(result: LintResult, fmt: str, out: TextIO) -> None:
    FORMATS[fmt](result, out)
