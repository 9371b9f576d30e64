"""When documents agree with each other against the contract, the contract is the likelier
culprit: the finding stays, as info, and says so. One document alone keeps its severity."""

from __future__ import annotations

from pathlib import Path

from conftest import FIXTURES
from doctract.config import Config
from doctract.contract import ContractSource
from doctract.findings import Severity
from doctract.lint import lint_documents

CONTRACT = FIXTURES / "apis" / "search-engine" / "openapi.yaml"
CONFIG = Config(openapi=(ContractSource(str(CONTRACT)),))


def _doc(title: str, strategy: str) -> str:
    return f"""# {title}

## Search

```bash
curl -X POST 'MEILISEARCH_URL/indexes/movies/search' \\
  -H 'Authorization: Bearer MEILISEARCH_KEY' \\
  -H 'Content-Type: application/json' \\
  --data-binary '{{"q": "galaxy", "matchingStrategy": "{strategy}"}}'
```
"""


def _body_findings(documents: list[tuple[str, str]]) -> dict[str, Severity]:
    result = lint_documents(documents, CONFIG)
    return {f.path: f.severity for f in result.findings if f.rule == "request-body-schema"}


def test_one_document_against_the_contract_is_an_error() -> None:
    found = _body_findings([("a.md", _doc("A", "first")), ("b.md", _doc("B", "last"))])
    assert found == {"a.md": Severity.ERROR}


def test_documents_that_agree_against_the_contract_make_it_info() -> None:
    documents = [("a.md", _doc("A", "first")), ("b.md", _doc("B", "first"))]
    result = lint_documents(documents, CONFIG)
    findings = [f for f in result.findings if f.rule == "request-body-schema"]
    assert {f.path: f.severity for f in findings} == {"a.md": Severity.INFO, "b.md": Severity.INFO}
    assert all("2 documents agree" in f.message for f in findings)
    assert all("contract" in f.hint for f in findings)


def test_a_different_claim_is_not_a_dispute(tmp_path: Path) -> None:
    found = _body_findings([("a.md", _doc("A", "first")), ("b.md", _doc("B", "second"))])
    assert found == {"a.md": Severity.ERROR, "b.md": Severity.ERROR}
