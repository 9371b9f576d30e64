"""The streaming lint: the findings and fingerprints the whole-corpus lint gave, byte for byte
(golden files recorded before the change, see tests/lint_golden.py), in one process and in a
pool; what crosses from a worker is small; rules read the doc set only through questions."""

from __future__ import annotations

import ast
import json
import pickle
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import EXAMPLES, FLOW_SERVICE, ROOT, invoke
from doctract import pool
from doctract.checks.registry import RULES, Hit, rule
from doctract.config import Config
from doctract.corpus import Corpus, DocFacts, DocSet, placeholder_fields
from doctract.extractors.jsonparse import parse_json
from doctract.findings import Severity
from doctract.lint import active_rules, api_of, lint_documents, lint_paths
from doctract.lint_file import Checker
from doctract.model import CodeLines, Tutorial
from doctract.questions import Ledger
from lint_golden import CASES, Case, dump, golden_file, run_case


@pytest.fixture(params=[1, 2], ids=["jobs-1", "jobs-2"])
def jobs(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> int:
    """1: this process; 2: a pool of two, also for the smallest doc set."""
    monkeypatch.setattr(pool, "MIN_TASKS_PER_WORKER", 1)
    return int(request.param)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_findings_and_fingerprints_match_the_golden_file(
    case: Case, jobs: int, tmp_path: Path
) -> None:
    data = run_case(case, tmp_path, jobs=jobs)
    if data is None:
        pytest.skip(f"{case.name}: its documents are not here (../shared is absent)")
    assert dump(data) == golden_file(case).read_text(encoding="utf-8")


def test_the_command_line_gives_the_same_report_with_any_number_of_jobs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(pool, "MIN_TASKS_PER_WORKER", 1)
    reports = {
        jobs: invoke("lint", str(EXAMPLES), "--format", "sarif", "--jobs", jobs, "-q")
        for jobs in ("1", "2", "3")
    }
    assert reports["1"][0] == 1
    assert reports["1"] == reports["2"] == reports["3"]


def test_small_doc_sets_stay_in_this_process() -> None:
    assert pool.workers_for(pool.MIN_TASKS_PER_WORKER * 2 - 1, 2) == 1
    assert pool.workers_for(pool.MIN_TASKS_PER_WORKER * 2, 2) == 2
    assert pool.workers_for(10_000, 1) == 1
    assert pool.workers_for(10_000, None) == min(pool.available_cores(), 10_000 // 20)


_MODEL = ("Tutorial", "Step", "JsonDoc", "SourceLine", "CodeBlock", "CurlRequest", "Table")


def test_a_worker_sends_findings_facts_and_questions_never_the_model_or_the_text() -> None:
    api = api_of(FLOW_SERVICE)
    checker = Checker(
        FLOW_SERVICE, Corpus.from_facts((), api=api), active_rules(FLOW_SERVICE), True
    )
    for doc in sorted(EXAMPLES.rglob("*.*")):
        outcome = checker.check((str(doc), None, True))
        sent = pickle.dumps(outcome)
        model = {name for name in _MODEL if name.encode() in sent}
        assert model == set()  # (a schema a lookup publishes keeps its Pos: that is a fact)
        assert checker.corpus._memo_of is None  # nor is the model kept for the next document
        if not outcome.findings:  # facts and questions: a fraction of the text
            assert len(sent) < doc.stat().st_size // 2
    clean = checker.check((str(EXAMPLES / "flow-service" / "look-up-specs.txt"), None, True))
    assert clean.facts is not None and clean.asked and not clean.findings


def test_a_document_is_checked_again_only_where_the_doc_set_answers_otherwise() -> None:
    """Three documents write {ORG_ID}, one {IMS_ORG}: only that one is checked again, and it
    is the one reported."""
    docs = [(f"{name}.md", _doc(org)) for name, org in [("a", "ORG_ID"), ("b", "ORG_ID")]]
    docs += [("c.md", _doc("ORG_ID")), ("odd.md", _doc("IMS_ORG"))]
    api = api_of(FLOW_SERVICE)
    first = Corpus.from_facts((), api=api)
    checker = Checker(FLOW_SERVICE, first, active_rules(FLOW_SERVICE), True)
    ledger = Ledger()
    facts: list[DocFacts] = []
    for path, text in docs:
        outcome = checker.check((path, text, True))
        ledger.record(outcome.asked)
        assert outcome.facts is not None
        facts.append(outcome.facts)
    final = Corpus.from_facts(facts, api=api)
    assert ledger.answered_otherwise(first, final) == [3]
    found = lint_documents(docs, FLOW_SERVICE).findings
    assert [(f.path, f.rule) for f in found] == [("odd.md", "placeholder-inconsistent")]


def test_placeholder_fields_are_named_by_their_dotted_and_exact_paths() -> None:
    """The body fields whose whole value is a placeholder, in document order; the dotted path
    leaves out list indexes and joins keys as written (an empty key too); a placeholder written
    with a \\u escape is one too."""

    def fields(value: object, text: str = "") -> list[tuple[str, str, list[str | int]]]:
        text = text or json.dumps(value)
        return placeholder_fields(parse_json(CodeLines((text,), (1,), (1,))))

    value = {
        "a": {"b": "{B}", "": {"c": "{C}"}},
        "items": [{"id": "{{ID}}"}, "x", "{", ["{N}"]],
        "n": 1,
        "d": "x {Y}",
    }
    assert fields(value) == [
        ("a.b", "B", ["a", "b"]),
        ("a..c", "C", ["a", "", "c"]),
        ("items.id", "ID", ["items", 0, "id"]),
        ("items", "N", ["items", 3, 0]),
    ]
    assert fields({"": {"": "{E}"}}) == [("", "E", ["", ""])]
    assert fields("{TOP}") == [("", "TOP", [])]
    assert fields(None, '{"a": "\\u007bESCAPED}"}') == [("a", "ESCAPED", ["a"])]
    assert fields({"a": "x {Y}", "b": ["{"]}) == []


def _doc(org: str) -> str:
    return (
        "# Look up flows\n\n## List flows\n\n```shell\ncurl -X GET \\\n"
        "  'https://platform.adobe.io/data/foundation/flowservice/flows' \\\n"
        "  -H 'Authorization: Bearer {ACCESS_TOKEN}' \\\n  -H 'x-api-key: {API_KEY}' \\\n"
        f"  -H 'x-gw-ims-org-id: {{{org}}}' \\\n  -H 'x-sandbox-name: {{SANDBOX_NAME}}'\n```\n"
    )


def test_a_collect_hook_that_asks_the_doc_set_is_an_internal_error() -> None:
    corpus = Corpus.from_facts(())
    corpus.collecting = True
    with pytest.raises(RuntimeError, match="collect hook"):
        corpus.ask(DocSet.usual_host)


_DOC_SET_FIELDS = {f for f in DocSet.__dataclass_fields__} | {"docs"}
RULE_MODULES = sorted((ROOT / "doctract" / "checks").glob("*.py")) + sorted(
    (ROOT / "doctract" / "profiles").rglob("*.py")
)


@pytest.mark.parametrize("module", RULE_MODULES, ids=lambda p: p.name)
def test_rules_read_the_doc_set_only_through_questions(module: Path) -> None:
    """`corpus.hosts`, `corpus.docs...` in a check would escape the record of questions (the
    streaming lint would then miss a document to check again); questions get the DocSet."""
    tree = ast.parse(module.read_text(encoding="utf-8"))
    direct = [
        f"{module.name}:{node.lineno} corpus.{node.attr}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "corpus"
        and node.attr in _DOC_SET_FIELDS
    ]
    assert direct == []


@pytest.fixture
def trap() -> Iterator[None]:
    """A rule that fails on a tutorial titled EXPLODE and overruns on one titled SLOW
    (registered in this process; a forked worker has it too)."""

    def check(tutorial: Tutorial, corpus: Corpus) -> Iterator[Hit]:
        if "EXPLODE" in tutorial.title:
            raise ValueError("boom")
        if "SLOW" in tutorial.title:
            time.sleep(5)
        return iter(())

    rule("test-streaming-trap", Severity.WARNING)(check)
    try:
        yield
    finally:
        RULES.pop("test-streaming-trap", None)


def test_a_failing_or_slow_document_is_reported_and_the_others_still_run(
    trap: None, jobs: int, tmp_path: Path
) -> None:
    clean = (EXAMPLES / "flow-service" / "draft-and-publish-a-dataflow.md").read_text("utf-8")
    for name in ("a", "b", "c"):
        (tmp_path / f"{name}.md").write_text(clean, "utf-8")
    (tmp_path / "explode.md").write_text("# EXPLODE\n\n" + clean, "utf-8")
    (tmp_path / "slow.md").write_text("# SLOW\n\n" + clean, "utf-8")
    config = Config(profile="flow-service", time_budget=0.5)
    started = time.perf_counter()
    result = lint_paths([str(tmp_path)], config, jobs=jobs)
    assert time.perf_counter() - started < 4
    assert [(Path(f.path).name, f.rule) for f in result.findings] == [
        ("explode.md", "internal-error"),
        ("slow.md", "time-budget-exceeded"),
    ]
    assert "rule test-streaming-trap: ValueError: boom" in result.findings[0].message
    assert result.files == 5
