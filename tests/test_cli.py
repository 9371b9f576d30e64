"""The `doctract lint` command: formats, exit codes, rule selection, configuration, secrets."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import EXAMPLES, RULE_FIXTURES, invoke

CLEAN = EXAMPLES / "flow-service"
DEFECTS = EXAMPLES / "defects"
FINDING_KEYS = ["rule", "severity", "path", "line", "column", "message", "hint", "evidence"]


def test_json_output_follows_the_findings_contract() -> None:
    code, out = invoke("lint", str(DEFECTS), "--format", "json")
    payload = json.loads(out)
    assert code == 1
    assert set(payload) == {"findings", "summary"}
    assert all(list(f) == FINDING_KEYS for f in payload["findings"])
    first = payload["findings"][0]
    assert first["severity"] in ("error", "warning", "info")
    assert first["line"] >= 1 and first["column"] >= 1
    assert payload["summary"]["findings"] == len(payload["findings"])
    assert payload["summary"]["errors"] > 0


def test_clean_docs_exit_zero_with_a_summary_line() -> None:
    code, out = invoke("lint", str(CLEAN))
    assert code == 0
    assert "No findings in 2 files." in out


def test_text_output_names_file_line_and_column() -> None:
    code, out = invoke("lint", str(DEFECTS))
    assert code == 1
    assert "dataflow-with-planted-defects.md:140:4: error publish-endpoint-mismatch" in out
    assert "hint: use /sourceConnections/{ID}/action" in out


def test_fail_on_threshold() -> None:
    warn_only = RULE_FIXTURES / "curl-dangling-continuation" / "fail.md"
    assert invoke("lint", str(warn_only))[0] == 0
    assert invoke("lint", str(warn_only), "--fail-on", "warning")[0] == 1
    assert invoke("lint", str(warn_only), "--fail-on", "info")[0] == 1


def test_select_and_ignore_with_globs() -> None:
    _, out = invoke("lint", str(DEFECTS), "--format", "json", "--select", "curl-*")
    rules = {f["rule"] for f in json.loads(out)["findings"]}
    assert rules and all(r.startswith("curl-") for r in rules)
    _, out = invoke("lint", str(DEFECTS), "--format", "json", "--ignore", "curl-*,json-syntax")
    rules = {f["rule"] for f in json.loads(out)["findings"]}
    assert rules and not any(r.startswith("curl-") or r == "json-syntax" for r in rules)


def test_unknown_rule_is_a_usage_error() -> None:
    code, out = invoke("lint", str(CLEAN), "--select", "no-such-rule")
    assert code == 2
    assert "unknown rule id(s): no-such-rule" in out


def test_missing_path_is_a_finding_not_a_crash_and_exit_2() -> None:
    code, out = invoke("lint", "does/not/exist.md", str(CLEAN), "--format", "json")
    payload = json.loads(out)
    assert code == 2
    assert [(f["rule"], f["path"]) for f in payload["findings"]] == [
        ("read-error", "does/not/exist.md")
    ]


def test_github_annotations() -> None:
    code, out = invoke("lint", str(DEFECTS), "--format", "github")
    assert code == 1
    lines = out.splitlines()
    assert any(
        line.startswith("::error file=")
        and ",line=140,col=4,title=publish-endpoint-mismatch::" in line
        for line in lines
    )
    assert any(line.startswith("::warning file=") for line in lines)
    assert any(line.startswith("::notice file=") for line in lines)


def test_sarif_output_has_rules_and_locations() -> None:
    code, out = invoke("lint", str(DEFECTS), "--format", "sarif")
    sarif = json.loads(out)
    assert code == 1
    assert sarif["version"] == "2.1.0"
    run = sarif["runs"][0]
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    for result in run["results"]:
        assert rule_ids[result["ruleIndex"]] == result["ruleId"]
        region = result["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] >= 1
    assert {r["level"] for r in run["results"]} == {"error", "warning", "note"}


def test_config_in_pyproject(tmp_path: Path) -> None:
    doc = tmp_path / "docs" / "t.md"
    doc.parent.mkdir()
    doc.write_text((RULE_FIXTURES / "curl-dangling-continuation" / "fail.md").read_text())
    (tmp_path / "pyproject.toml").write_text('[tool.doctract]\nfail-on = "warning"\n')
    assert invoke("lint", "docs", cwd=tmp_path)[0] == 1
    (tmp_path / "pyproject.toml").write_text(
        '[tool.doctract]\nfail-on = "warning"\nignore = ["curl-dangling-continuation"]\n'
    )
    assert invoke("lint", "docs", cwd=tmp_path)[0] == 0
    (tmp_path / "pyproject.toml").write_text('[tool.doctract]\nfail_on = "warning"\n')
    code, out = invoke("lint", "docs", cwd=tmp_path)
    assert code == 2
    assert "unknown [tool.doctract] key(s): fail_on" in out


def test_config_required_headers_and_host(tmp_path: Path) -> None:
    doc = tmp_path / "t.md"
    doc.write_text((RULE_FIXTURES / "missing-header" / "pass.md").read_text())
    (tmp_path / "pyproject.toml").write_text(
        '[tool.doctract]\nrequired-headers = ["Authorization", "x-request-id"]\n'
        'host = "platform.example.com"\n'
    )
    code, out = invoke("lint", "t.md", "--format", "json", cwd=tmp_path)
    rules = [f["rule"] for f in json.loads(out)["findings"]]
    assert code == 1
    assert "missing-header" in rules and "host-mismatch" in rules
    assert "x-request-id" in out


SECRET_TOKEN = "eyJhbGciOiJSUzI1NiIsInRva2VuIjoiZG9jdHJhY3Qtc2VjcmV0In0"
SECRET_PASSWORD = "hunter2-doctract-secret"


def test_secrets_in_docs_never_reach_the_output(tmp_path: Path) -> None:
    doc = tmp_path / "leaky.md"
    doc.write_text(f"""# Leaky

## Create a base connection

```shell
curl -X PATCH \\
  'https://platform.adobe.io/data/foundation/flowservice/connections/x' \\
  -H 'Authorization: Bearer {SECRET_TOKEN}' \\
  -H 'x-api-key: {SECRET_PASSWORD}' \\
  -d '{{"auth": {{"params": {{"password": {SECRET_PASSWORD}, "token": {SECRET_TOKEN}}}}}}}'
```
""")
    for fmt in ("text", "json", "sarif", "github", "markdown"):
        code, out = invoke("lint", str(doc), "--format", fmt)
        assert code == 1
        assert SECRET_TOKEN not in out and SECRET_PASSWORD not in out, fmt
    _, out = invoke("lint", str(doc), "--format", "json")
    assert "json-syntax" in out and "missing-header" in out


def test_console_script_runs_and_exits_with_status() -> None:
    exe = Path(sys.executable).with_name("doctract")
    if not exe.exists():
        pytest.skip("the doctract console script is not installed next to this Python")
    done = subprocess.run(
        [str(exe), "lint", str(DEFECTS), "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert json.loads(done.stdout)["summary"]["files"] == len(list(DEFECTS.iterdir()))
    assert done.stderr == ""


def test_rules_command_lists_every_rule() -> None:
    from doctract.checks import RULES

    code, out = invoke("rules")
    assert code == 0
    assert [line.split()[0] for line in out.splitlines()] == sorted(RULES)


def test_text_output_keeps_line_numbers_that_look_like_emoji_codes() -> None:
    """rich reads `:100:` as an emoji code: a finding at line 100, column 1 must still print
    as `path:100:1`."""
    from io import StringIO

    from doctract.findings import Finding, Severity
    from doctract.lint import LintResult
    from doctract.output.text import render_text

    out = StringIO()
    finding = Finding("json-syntax", Severity.ERROR, "doc.md", 100, 1, "bad :smile: JSON")
    render_text(LintResult((finding,), 1), out)
    assert "doc.md:100:1:" in out.getvalue() and ":smile:" in out.getvalue()
