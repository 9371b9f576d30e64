"""Stable fingerprints of findings, for baselines and SARIF `partialFingerprints`.

A fingerprint hashes the rule, the text of the finding's line (whitespace-normalised) and the
finding's rank among same-rule findings on identical lines of the file. It ignores the line
number and the message (messages may quote line numbers), so it survives edits elsewhere in
the file; it changes when the offending line itself changes.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from doctract.findings import Finding
from doctract.lines import split_lines


def line_texts(findings: Iterable[Finding], text: str) -> list[str]:
    """Each finding's line of `text` (its document), whitespace-normalised; "" for none. What
    a fingerprint needs of the document, taken while the document is at hand."""
    findings = list(findings)
    if not findings:
        return []
    lines = split_lines(text)
    return [_line_text(lines, f.line) for f in findings]


def _line_text(lines: Sequence[str], line: int) -> str:
    return " ".join(lines[line - 1].split()) if 0 < line <= len(lines) else ""


def hashes(findings: Sequence[Finding], texts: Sequence[str]) -> tuple[str, ...]:
    """One fingerprint per finding (same order), given each finding's line text (line_texts).
    The rank among same-rule findings on identical lines counts in this order."""
    seen: Counter[tuple[str, str, str]] = Counter()
    out: list[str] = []
    for finding, content in zip(findings, texts, strict=True):
        if not content:  # no text (unreadable file): the message is all there is
            content = finding.message
        key = (finding.path, finding.rule, content)
        occurrence = seen[key]
        seen[key] += 1
        basis = "\x1f".join((finding.rule, content, str(occurrence)))
        out.append(hashlib.sha256(basis.encode("utf-8")).hexdigest()[:24])
    return tuple(out)


def fingerprints(findings: Sequence[Finding], texts: Mapping[str, str]) -> tuple[str, ...]:
    """One fingerprint per finding (same order); `texts` maps a path to its document text."""
    split: dict[str, list[str]] = {}
    contents: list[str] = []
    for finding in findings:
        if finding.path not in split:
            split[finding.path] = split_lines(texts.get(finding.path, ""))
        contents.append(_line_text(split[finding.path], finding.line))
    return hashes(findings, contents)
