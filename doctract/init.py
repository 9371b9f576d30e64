"""`doctract init`: a commented starter `.doctract.toml`, with what the docs tell.

It detects, from the documents under the paths given: the OpenAPI document (files named
`*openapi*` or `*swagger*` with a .yaml, .yml or .json extension under the folder the file is
written to, that parse as OpenAPI 3), choosing the one whose operations match most of the
documented requests; the host most requests go to; and the auth headers most requests send.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from doctract.config import DEFAULT_EXTENSIONS, Config
from doctract.contract import Contract, ContractSource
from doctract.corpus import Corpus
from doctract.errors import DoctractError
from doctract.model import CurlRequest, Tutorial
from doctract.output import FORMATS
from doctract.rule_ids import TIME_BUDGET_EXCEEDED

CONFIG_FILE = ".doctract.toml"
_SKIP_DIRS = {"node_modules", "__pycache__", "venv", "site-packages"}
_AUTH_HEADER = re.compile(
    r"^(authorization|proxy-authorization|cookie|apikey|api-key|x-api-key|.*-key|.*-token"
    r"|.*-secret|x-auth.*)$"
)


@dataclass(frozen=True)
class Candidate:
    """An OpenAPI document found, and how many documented requests its operations match."""

    path: str  # relative to the configuration file's folder, POSIX separators
    matched: int


@dataclass
class Detected:
    documents: int = 0
    requests: int = 0
    candidates: list[Candidate] = field(default_factory=list)  # best first
    skipped: list[str] = field(default_factory=list)  # named openapi/swagger, not OpenAPI 3
    host: str | None = None
    auth_headers: list[tuple[str, int]] = field(default_factory=list)  # (name, requests)

    @property
    def openapi(self) -> Candidate | None:
        """The contract to name: the one matching most requests, when one clearly does."""
        if not self.candidates or self.candidates[0].matched == 0:
            return None
        if len(self.candidates) > 1 and self.candidates[1].matched == self.candidates[0].matched:
            return None
        return self.candidates[0]


def detect(paths: Sequence[str], here: Path) -> Detected:
    """What the documents under `paths` and the OpenAPI documents under `here` tell."""
    from doctract.extractors import extract
    from doctract.lint import discover, read_document

    found = Detected()
    tutorials: list[Tutorial] = []
    for path in discover(paths, Config())[0]:
        text, _ = read_document(path, Config().max_file_size)
        if text is None:
            continue
        try:
            tutorials.append(extract(path, text))
        except Exception:
            continue
    requests = [r for t in tutorials for step in t.steps for r in step.requests]
    found.documents, found.requests = len(tutorials), len(requests)
    found.host = Corpus.build(tutorials).docs.usual_host()
    found.auth_headers = _auth_headers(requests)
    extra_hosts = frozenset({found.host}) if found.host else frozenset()
    for found_file in _openapi_files(here):
        try:
            contract = Contract.load(ContractSource(str(found_file)))
        except DoctractError:
            found.skipped.append(_relative(found_file, here))
            continue
        matched = 0
        for request in requests:
            target = contract.resolve(request.method, request.url, extra_hosts)
            matched += target is not None and target.match is not None
        found.candidates.append(Candidate(_relative(found_file, here), matched))
    found.candidates.sort(key=lambda c: (-c.matched, c.path))
    return found


def _auth_headers(requests: Sequence[CurlRequest]) -> list[tuple[str, int]]:
    """Auth headers (Authorization, *-key, *-token, ...) more than half the requests send,
    as the docs spell them (the spelling most requests use)."""
    sent: Counter[str] = Counter()
    spelled: dict[str, Counter[str]] = {}
    for request in requests:
        names = {h.name.lower(): h.name for h in (*request.headers, *request.implied_headers)}
        for lower, name in names.items():
            if _AUTH_HEADER.match(lower):
                sent[lower] += 1
                spelled.setdefault(lower, Counter())[name] += 1
    return [
        (spelled[lower].most_common(1)[0][0], count)
        for lower, count in sorted(sent.items(), key=lambda item: (-item[1], item[0]))
        if count * 2 > len(requests)
    ]


def _openapi_files(here: Path) -> list[Path]:
    found = []
    for root, dirs, files in os.walk(here):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in _SKIP_DIRS)
        for name in sorted(files):
            lower = name.lower()
            if lower.endswith((".yaml", ".yml", ".json")) and (
                "openapi" in lower or "swagger" in lower
            ):
                found.append(Path(root) / name)
    return found


def _relative(path: Path, here: Path) -> str:
    try:
        return path.resolve().relative_to(here.resolve()).as_posix()
    except ValueError:
        return path.resolve().as_posix()


def _toml(value: str | list[str]) -> str:
    """A TOML string or array of strings (JSON's escapes are TOML's)."""
    if isinstance(value, list):
        return "[" + ", ".join(json.dumps(v) for v in value) + "]"
    return json.dumps(value)


def starter(found: Detected, profiles: Sequence[str] = ()) -> str:
    """The commented starter configuration for what was detected."""
    lines = [
        "# doctract configuration, written by `doctract init` (see the README, Configuration).",
        "# Command-line options win over these settings; paths are relative to this file's",
        "# folder. Uncomment a setting to use it.",
        "",
        "# The API's contract: an OpenAPI 3.0 or 3.1 document (JSON or YAML), or a list of them.",
        "# The docs' requests are checked against its operations, parameters and schemas.",
    ]
    chosen = found.openapi
    if chosen is not None:
        lines.append(
            f"# Detected: its operations match {chosen.matched} of the docs' "
            f"{found.requests} requests."
        )
        lines.append(f"openapi = {_toml(chosen.path)}")
    elif found.candidates:
        lines.append("# Found, none clearly matching most of the docs' requests; pick one:")
    else:
        lines.append("# None found (files named openapi*/swagger* .yaml, .yml or .json here).")
        lines.append('# openapi = "openapi.yaml"')
    for candidate in found.candidates:
        if candidate is not chosen:
            lines.append(
                f"# openapi = {_toml(candidate.path)}  "
                f"# matches {candidate.matched} of {found.requests} requests"
            )
    for skipped in found.skipped:
        lines.append(f"# (not an OpenAPI 3 document doctract can read: {skipped})")
    lines += [
        "",
        "# An API profile: rules and a bundled contract for one API"
        + (f" (installed: {', '.join(profiles)})." if profiles else "."),
        f"# profile = {_toml(profiles[0] if profiles else 'name')}",
        "",
        "# The API's host: requests to any other host are host-mismatch findings (default: the",
        "# host most requests go to, and other vendors' hosts are left alone).",
    ]
    if found.host:
        lines.append("# Detected: most of the docs' requests go to it.")
        lines.append(f"host = {_toml(found.host)}")
    else:
        lines.append(
            "# Not detected: no host most requests go to (or the docs write it as a placeholder)."
        )
        lines.append('# host = "api.example.com"')
    lines += [
        "",
        "# Headers every request must send; replaces what the contract requires ([] = none).",
    ]
    names = [name for name, _ in found.auth_headers]
    if names:
        counts = ", ".join(f"{name} on {count}" for name, count in found.auth_headers)
        lines.append(f"# Detected: the docs send {counts} of {found.requests} requests.")
        if chosen is not None:
            lines.append("# The contract already says which operations need them: left off.")
            lines.append(f"# required-headers = {_toml(names)}")
        else:
            lines.append(f"required-headers = {_toml(names)}")
    else:
        lines.append('# required-headers = ["Authorization"]')
    lines += [
        "",
        "# Exit status 1 when a finding is at or above this severity: error | warning | info.",
        'fail-on = "error"',
        "",
        "# Rule ids or globs to run (default: every rule) and to skip; `doctract rules` lists",
        "# them. An unknown id, or a glob matching no rule, is an error.",
        '# select = ["*"]',
        "# ignore = []",
        "",
        "# Globs of paths not to lint.",
        '# exclude = ["docs/drafts/*"]',
        "",
        "# The extensions of the files linted in the folders given.",
        f"# extensions = {_toml(list(DEFAULT_EXTENSIONS))}",
        "",
        f"# The output format of `doctract lint`: {' | '.join(sorted(FORMATS))}.",
        '# format = "text"',
        "",
        "# A larger file is one read-error finding (MB).",
        "# max-file-size = 10",
        "",
        f"# Seconds per file before it is a {TIME_BUDGET_EXCEEDED} finding; 0 turns it off.",
        "# time-budget = 30",
        "",
        "# Values for the docs' placeholders when `doctract run` replays them (else taken from",
        "# DOCTRACT_NAME or NAME in the environment); keep secrets in the environment.",
        "# [placeholders]",
        '# INDEX_NAME = "movies"',
        "",
    ]
    return "\n".join(lines)


def summary(found: Detected, written: Path) -> list[str]:
    """What `doctract init` says it wrote."""
    chosen = found.openapi
    said = [
        f"wrote {written} ({found.documents} documents, {found.requests} requests read)",
        f"  openapi: {chosen.path} (matches {chosen.matched} of {found.requests} requests)"
        if chosen
        else (
            f"  openapi: not chosen; {len(found.candidates)} found, listed commented"
            if found.candidates
            else "  openapi: none found"
        ),
        f"  host: {found.host}" if found.host else "  host: not detected",
        "  auth headers: " + ", ".join(name for name, _ in found.auth_headers)
        if found.auth_headers
        else "  auth headers: none detected",
    ]
    return said


__all__ = ["CONFIG_FILE", "Candidate", "Detected", "detect", "starter", "summary"]
