"""Pull-request feedback: fingerprints, the baseline, --changed-since, Markdown comments and
SARIF validated against the official SARIF 2.1.0 schema."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from conftest import EXAMPLES, ROOT, invoke, lint_text
from doctract.lint import LintResult
from doctract.output.markdown import MAX_ROWS, link_base, render_markdown

DEFECTS = EXAMPLES / "defects" / "dataflow-with-planted-defects.md"
SARIF_SCHEMA = ROOT / "tests" / "schemas" / "sarif-2.1.0.json"


def _doc_copy(tmp_path: Path) -> Path:
    (tmp_path / "docs").mkdir(exist_ok=True)
    for source in (EXAMPLES / "flow-service").iterdir():
        shutil.copy(source, tmp_path / "docs" / source.name)
    shutil.copy(DEFECTS, tmp_path / "docs" / DEFECTS.name)
    (tmp_path / "pyproject.toml").write_text('[tool.doctract]\nprofile = "flow-service"\n')
    return tmp_path / "docs" / DEFECTS.name


def _json(args: list[str], cwd: Path) -> tuple[int, dict[str, Any]]:
    code, out = invoke("lint", *args, "--format", "json", cwd=cwd)
    assert code in (0, 1), out
    return code, json.loads(out)


# --- fingerprints ------------------------------------------------------------------------


def test_fingerprints_survive_line_shifts_and_change_with_the_line() -> None:
    text = DEFECTS.read_text(encoding="utf-8")
    before = lint_text(text, "d.md")
    shifted = lint_text("# Preface\n\nA new paragraph.\n\n" + text, "d.md")
    assert len(before.findings) == len(shifted.findings) > 10
    assert [f.line + 4 for f in before.findings] == [f.line for f in shifted.findings]
    assert before.fingerprints == shifted.fingerprints
    assert len(set(before.fingerprints)) == len(before.fingerprints)
    edited = lint_text(text.replace("platform-int.adobe.io", "platform-qa.adobe.io"), "d.md")
    changed = set(edited.fingerprints) - set(before.fingerprints)
    assert [
        f.rule for f in edited.findings if edited.fingerprint(edited.findings.index(f)) in changed
    ] == ["host-mismatch"]


# --- baseline ----------------------------------------------------------------------------


def test_baseline_hides_known_findings_and_reports_new_ones(tmp_path: Path) -> None:
    doc = _doc_copy(tmp_path)
    _, everything = _json(["docs"], tmp_path)
    total = len(everything["findings"])
    code, out = invoke("baseline", "write", "docs", cwd=tmp_path)
    assert code == 0 and f"{total} findings recorded" in out
    stored = json.loads((tmp_path / ".doctract-baseline.json").read_text())
    assert {e["path"] for e in stored["findings"]} == {"docs/" + DEFECTS.name}

    code, out = invoke("lint", "docs", cwd=tmp_path)
    assert code == 0 and f"No new findings in 3 files. ({total} more in the baseline)" in out

    # unrelated lines shift everything down; a new defect appears at the top
    text = doc.read_text(encoding="utf-8")
    heading_end = text.index("\n\n") + 2
    doc.write_text(
        text[:heading_end]
        + 'Send `{"name": "x",}` as JSON:\n\n```json\n{"name": "x",}\n```\n\n'
        + text[heading_end:],
        encoding="utf-8",
    )
    code, payload = _json(["docs"], tmp_path)
    new_line = text[:heading_end].count("\n") + 4
    assert code == 1
    assert [(f["rule"], f["line"]) for f in payload["findings"]] == [("json-syntax", new_line)]
    assert payload["summary"]["baselined"] == total
    _, full = _json(["docs", "--no-baseline"], tmp_path)
    assert len(full["findings"]) == total + 1

    # fixing a defect and rewriting drops it from the baseline
    doc.write_text(doc.read_text().replace("platform-int.adobe.io", "platform.adobe.io"))
    invoke("baseline", "write", "docs", cwd=tmp_path)
    rewritten = json.loads((tmp_path / ".doctract-baseline.json").read_text())
    assert len(rewritten["findings"]) == total  # +1 new, -1 fixed
    assert "host-mismatch" not in {e["rule"] for e in rewritten["findings"]}


def test_a_broken_baseline_is_one_line_naming_the_file(tmp_path: Path) -> None:
    _doc_copy(tmp_path)
    (tmp_path / ".doctract-baseline.json").write_text('{"version": 1, "findings": [{"rule"')
    code, out = invoke("lint", "docs", cwd=tmp_path)
    assert code == 2
    assert ".doctract-baseline.json: the baseline is not valid JSON" in out
    assert "Traceback" not in out
    (tmp_path / ".doctract-baseline.json").write_text('{"version": 9}')
    code, out = invoke("lint", "docs", cwd=tmp_path)
    assert code == 2 and "not a doctract baseline" in out
    code, out = invoke("lint", "docs", "--baseline", "missing.json", cwd=tmp_path)
    assert code == 2 and "missing.json: cannot read the baseline" in out


# --- --changed-since ---------------------------------------------------------------------


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    _doc_copy(tmp_path)
    (tmp_path / "docs" / "unrelated.md").write_text("# Unrelated\n\nNo requests here.\n")
    _git(tmp_path, "init", "-q", "-b", "main")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-q", "-m", "docs")
    return tmp_path


def _extracted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []
    from doctract.extractors import extract as original

    def counting(path: str, text: str) -> Any:
        seen.append(Path(path).name)
        return original(path, text)

    monkeypatch.setattr("doctract.lint_file.extract", counting)
    monkeypatch.setattr("doctract.changes.extract", counting)
    return seen


def test_changed_since_checks_only_the_changed_document(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, payload = _json(["docs", "--changed-since", "HEAD"], repo)
    assert code == 0 and payload["findings"] == [] and payload["summary"]["files"] == 0

    draft = repo / "docs" / "draft-and-publish-a-dataflow.md"
    draft.write_text(draft.read_text().replace("platform.adobe.io", "platform-int.adobe.io", 1))
    seen = _extracted(monkeypatch)
    code, payload = _json(["docs", "--changed-since", "HEAD"], repo)
    found = {(Path(f["path"]).name, f["rule"]) for f in payload["findings"]}
    assert code == 0 or found
    assert found == {("draft-and-publish-a-dataflow.md", "host-mismatch")}
    assert payload["summary"]["files"] == 1
    # the defects doc and the unrelated doc are never parsed; the spec doc is context only
    assert "dataflow-with-planted-defects.md" not in seen and "unrelated.md" not in seen


def test_changed_spec_doc_rechecks_the_tutorials_that_use_it(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    specs = repo / "docs" / "look-up-specs.txt"
    specs.write_text(specs.read_text().replace('"userid"', '"userName"'))
    _git(repo, "commit", "-q", "-am", "spec renames userid")
    code, payload = _json(["docs", "--changed-since", "HEAD~1"], repo)
    reported = {Path(f["path"]).name for f in payload["findings"]}
    assert "draft-and-publish-a-dataflow.md" in reported
    assert "unrelated.md" not in reported
    assert code == 1


def test_changed_since_with_a_bad_ref_is_a_usage_error(repo: Path) -> None:
    code, out = invoke("lint", "docs", "--changed-since", "no-such-ref", cwd=repo)
    assert code == 2
    assert "--changed-since no-such-ref" in out and "Traceback" not in out


# --- Markdown comment ---------------------------------------------------------------------


def test_markdown_comment_links_each_finding_to_its_line() -> None:
    code, out = invoke("lint", str(DEFECTS), "--format", "markdown")
    assert code == 1
    head, *rest = out.splitlines()
    assert head.startswith("### doctract: ") and "errors" in head
    rows = [line for line in rest if line.startswith("| :")]
    lint_json = json.loads(invoke("lint", str(DEFECTS), "--format", "json")[1])
    assert len(rows) == len(lint_json["findings"])
    assert any(
        "dataflow-with-planted-defects.md#L140) | publish is sent to /connections/" in row
        for row in rows
    )
    assert "<details><summary>Hints and evidence</summary>" in out


def test_markdown_links_into_github_and_caps_the_table() -> None:
    env = {
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_REPOSITORY": "acme/docs",
        "GITHUB_SHA": "abc123",
    }
    assert link_base(env) == "https://github.com/acme/docs/blob/abc123/"
    assert link_base({}) == ""
    many = lint_text("".join(f'```json\n{{"a|{i}": 1,}}\n```\n\n' for i in range(MAX_ROWS + 5)))
    assert len(many.findings) == MAX_ROWS + 5
    import io

    out = io.StringIO()
    render_markdown(many, out, base=link_base(env))
    text = out.getvalue()
    assert "(https://github.com/acme/docs/blob/abc123/doc.md#L" in text
    assert "…and 5 more" in text
    assert sum(1 for line in text.splitlines() if line.startswith("| :x:")) == MAX_ROWS

    empty = io.StringIO()
    render_markdown(LintResult((), 3), empty, base="")
    assert empty.getvalue() == "### doctract: no findings in 3 files :white_check_mark:\n"


# --- SARIF --------------------------------------------------------------------------------


def test_sarif_validates_against_the_official_schema(tmp_path: Path) -> None:
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    weird = tmp_path / "a dir" / "odd #name.md"
    weird.parent.mkdir()
    weird.write_text("```json\n{,}\n```\n")
    for target in (str(EXAMPLES), str(weird)):
        _, out = invoke("lint", target, "--format", "sarif")
        sarif = json.loads(out)
        errors = sorted(validator.iter_errors(sarif), key=lambda e: list(e.path))
        assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]
    run = json.loads(invoke("lint", str(DEFECTS), "--format", "sarif")[1])["runs"][0]
    rule = next(r for r in run["tool"]["driver"]["rules"] if r["id"] == "json-syntax")
    assert rule["help"]["markdown"].startswith("**json-syntax**")
    publish = next(r for r in run["results"] if r["ruleId"] == "publish-endpoint-mismatch")
    assert publish["properties"]["hint"].startswith("use /sourceConnections/")
    assert len(publish["partialFingerprints"]["doctract/v1"]) == 24
    assert json.loads(invoke("lint", str(weird), "--format", "sarif")[1])["runs"][0]["results"][0][
        "locations"
    ][0]["physicalLocation"]["artifactLocation"]["uri"].startswith("file:///")


def test_sarif_schema_rejects_a_broken_log() -> None:
    """The validation above can fail: the schema refuses a result without a message."""
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    sarif = json.loads(invoke("lint", str(DEFECTS), "--format", "sarif")[1])
    del sarif["runs"][0]["results"][0]["message"]
    assert list(jsonschema.Draft202012Validator(schema).iter_errors(sarif))
