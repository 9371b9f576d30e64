"""The baseline: findings a team has accepted for now, so that pull requests see only new ones.

The file (`.doctract-baseline.json` at the project root by default) lists each finding by rule,
path (relative to the project root, POSIX) and fingerprint. `doctract baseline write` rewrites
it from the current findings, so fixed findings drop out.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from doctract import __version__
from doctract.atomic import write_atomic
from doctract.errors import DoctractError
from doctract.lint import LintResult
from doctract.secrets import NO_SECRETS, Scrubber

BASELINE_NAME = ".doctract-baseline.json"
FORMAT_VERSION = 1

Key = tuple[str, str, str]


class BaselineError(DoctractError, ValueError):
    """A baseline file doctract cannot use; reported as one line naming the file."""


def relative(path: str, root: Path) -> str:
    """A finding's path as the baseline stores it: relative to the root, with / separators."""
    try:
        return Path(os.path.relpath(os.path.abspath(path), root)).as_posix()
    except ValueError:  # another drive on Windows
        return Path(path).as_posix()


def keys_of(result: LintResult, root: Path) -> list[Key]:
    return [
        (f.rule, relative(f.path, root), result.fingerprint(i))
        for i, f in enumerate(result.findings)
    ]


@dataclass(frozen=True)
class Baseline:
    path: Path
    keys: Counter[Key]

    @classmethod
    def load(cls, path: Path) -> Baseline:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise BaselineError(f"{path}: cannot read the baseline: {exc.strerror}") from None
        except ValueError as exc:
            raise BaselineError(f"{path}: the baseline is not valid JSON: {exc}") from None
        if not isinstance(data, dict) or data.get("version") != FORMAT_VERSION:
            raise BaselineError(
                f"{path}: not a doctract baseline (version {FORMAT_VERSION}); "
                "rewrite it with `doctract baseline write`"
            )
        keys: Counter[Key] = Counter()
        for index, entry in enumerate(data.get("findings", [])):
            try:
                keys[(str(entry["rule"]), str(entry["path"]), str(entry["fingerprint"]))] += 1
            except (TypeError, KeyError):
                raise BaselineError(
                    f"{path}: finding {index + 1} lacks rule, path or fingerprint"
                ) from None
        return cls(path, keys)

    def apply(self, result: LintResult, root: Path) -> LintResult:
        """Only the findings the baseline does not hold; the count of hidden ones is kept."""
        left = Counter(self.keys)
        kept: list[int] = []
        for index, key in enumerate(keys_of(result, root)):
            if left[key] > 0:
                left[key] -= 1
            else:
                kept.append(index)
        return replace(
            result,
            findings=tuple(result.findings[i] for i in kept),
            fingerprints=tuple(result.fingerprint(i) for i in kept),
            baselined=result.baselined + len(result.findings) - len(kept),
        )


def baseline_payload(result: LintResult, root: Path) -> dict[str, Any]:
    entries = [
        {
            "rule": rule,
            "path": path,
            "fingerprint": fingerprint,
            "line": finding.line,
            "message": finding.message,
        }
        for (rule, path, fingerprint), finding in zip(
            keys_of(result, root), result.findings, strict=True
        )
    ]
    entries.sort(key=lambda e: (e["path"], e["line"], e["rule"]))
    return {"version": FORMAT_VERSION, "tool": f"doctract {__version__}", "findings": entries}


def write_baseline(
    path: Path, result: LintResult, root: Path, scrubber: Scrubber = NO_SECRETS
) -> int:
    """Write atomically (temp file, then rename), the messages and the text scrubbed; the
    number of findings recorded."""
    payload = scrubber.data(baseline_payload(result, root))
    write_atomic(path, scrubber.text(json.dumps(payload, indent=2)) + "\n")
    return len(payload["findings"])
