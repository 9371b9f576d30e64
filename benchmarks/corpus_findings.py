"""Findings per rule over a real doc set, to judge a contract's and the rules' noise by reading
the lines they point at.

    python benchmarks/corpus_findings.py ../shared/corpora/meilisearch \\
        --openapi ../shared/corpora/meilisearch/openapi.json [--profile NAME] [--show]

Prints the number of documents, the findings per rule and severity, errors and warnings per
document, and with --show every error and warning with the line it points at, so each can be
judged true or false. Exit status 0 whatever is found (it measures; it does not gate).
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from pathlib import Path

from doctract.config import Config
from doctract.contract import ContractSource
from doctract.findings import Severity
from doctract.lint import discover, lint_paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("docs", help="folder of tutorials")
    parser.add_argument("--openapi", action="append", default=[], help="OpenAPI document(s)")
    parser.add_argument("--profile", default=None)
    parser.add_argument("--show", action="store_true", help="print each error and warning")
    args = parser.parse_args()
    config = Config(
        profile=args.profile,
        openapi=tuple(ContractSource(str(Path(p).resolve())) for p in args.openapi),
    )
    files, _ = discover([args.docs], config)
    start = time.perf_counter()
    result = lint_paths([args.docs], config)
    seconds = time.perf_counter() - start
    serious = [f for f in result.findings if f.severity is not Severity.INFO]
    print(f"{len(files)} documents linted in {seconds:.2f} s; {len(result.findings)} findings, ")
    print(f"{len(serious)} errors or warnings ({len(serious) / max(len(files), 1):.2f} a document)")
    print("\nfindings per rule:")
    for (rule, severity), count in sorted(
        Counter((f.rule, f.severity.value) for f in result.findings).items(),
        key=lambda item: (-item[1], item[0]),
    ):
        print(f"  {count:5}  {severity:8} {rule}")
    per_doc = Counter(Path(f.path).name for f in serious)
    print(f"\ndocuments with errors or warnings: {len(per_doc)} of {len(files)}")
    if args.show:
        lines: dict[str, list[str]] = {}
        for finding in serious:
            if finding.path not in lines:
                lines[finding.path] = Path(finding.path).read_text(encoding="utf-8").splitlines()
            text = lines[finding.path][finding.line - 1].strip() if finding.line else ""
            print(
                f"\n{Path(finding.path).name}:{finding.line} {finding.severity.value} "
                f"{finding.rule}: {finding.message}\n    > {text[:160]}"
            )


if __name__ == "__main__":
    main()
