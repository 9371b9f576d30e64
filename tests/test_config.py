"""The configuration file: `.doctract.toml`, `doctract.toml` or `[tool.doctract]` in
pyproject.toml, found from the start folder upwards; `doctract init`; unknown keys and rule ids
as one-line errors with a suggestion."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from test_contract_rules import PLANTED

from conftest import FIXTURES, RULE_FIXTURES, invoke
from doctract.config import ConfigError, find_config, load_config, load_config_file
from doctract.contract import ContractSource
from doctract.findings import Severity

SEARCH_ENGINE = FIXTURES / "apis" / "search-engine"
DANGLING = RULE_FIXTURES / "curl-dangling-continuation" / "fail.md"


def _one_line(out: str) -> str:
    lines = out.strip().splitlines()
    assert len(lines) == 1, out
    assert "Traceback" not in out
    return lines[0]


def _doc_set(folder: Path) -> None:
    (folder / "docs").mkdir(parents=True)
    (folder / "docs" / "t.md").write_text(DANGLING.read_text())


# --- which file ----------------------------------------------------------------------------


def test_dot_doctract_toml_wins_over_doctract_toml_and_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.doctract]\nfail-on = "info"\n')
    (tmp_path / "doctract.toml").write_text('fail-on = "warning"\n')
    (tmp_path / ".doctract.toml").write_text('host = "api.example.com"\n')
    config = load_config(tmp_path)
    assert config.source == str(tmp_path / ".doctract.toml")
    assert config.host == "api.example.com" and config.fail_on is Severity.ERROR
    (tmp_path / ".doctract.toml").unlink()
    config = load_config(tmp_path)
    assert config.source == str(tmp_path / "doctract.toml")
    assert config.fail_on is Severity.WARNING
    (tmp_path / "doctract.toml").unlink()
    assert load_config(tmp_path).fail_on is Severity.INFO


def test_search_goes_upwards_and_the_nearest_folder_wins(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.doctract]\nfail-on = "info"\n')
    inner = tmp_path / "docs" / "guides"
    inner.mkdir(parents=True)
    (tmp_path / "docs" / "doctract.toml").write_text('fail-on = "warning"\n')
    assert load_config(inner).source == str(tmp_path / "docs" / "doctract.toml")
    (tmp_path / "docs" / "doctract.toml").unlink()
    assert load_config(inner).source == str(tmp_path / "pyproject.toml")


def test_a_pyproject_without_the_table_does_not_stop_the_search(tmp_path: Path) -> None:
    (tmp_path / ".doctract.toml").write_text('fail-on = "warning"\n')
    package = tmp_path / "tools" / "sdk"
    package.mkdir(parents=True)
    (package / "pyproject.toml").write_text('[project]\nname = "sdk"\n')
    assert find_config(package) == tmp_path / ".doctract.toml"
    assert load_config(package).fail_on is Severity.WARNING
    # no configuration anywhere up: the nearest pyproject.toml is the project root
    (tmp_path / ".doctract.toml").unlink()
    config = load_config(package)
    assert config.source == str(package / "pyproject.toml") and config.fail_on is Severity.ERROR


def test_openapi_is_relative_to_the_config_files_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(SEARCH_ENGINE / "docs", tmp_path / "set" / "docs")
    shutil.copy(SEARCH_ENGINE / "openapi.yaml", tmp_path / "set" / "openapi.yaml")
    (tmp_path / "set" / "doctract.toml").write_text('openapi = "openapi.yaml"\n')
    monkeypatch.chdir(tmp_path)
    config = load_config(tmp_path / "set" / "docs")
    assert config.openapi == (ContractSource("openapi.yaml"),)
    assert config.root == tmp_path / "set"
    code, out = invoke("lint", "defects.md", "--format", "json", cwd=tmp_path / "set" / "docs")
    assert code == 1
    found = {(f["line"], f["rule"]) for f in json.loads(out)["findings"] if f["severity"] != "info"}
    assert found == PLANTED


@pytest.mark.parametrize("name", [".doctract.toml", "doctract.toml", "pyproject.toml"])
def test_config_option_takes_each_kind_of_file(tmp_path: Path, name: str) -> None:
    _doc_set(tmp_path / "project")
    settings = tmp_path / "elsewhere" / name
    settings.parent.mkdir()
    table = "[tool.doctract]\n" if name == "pyproject.toml" else ""
    settings.write_text(f'{table}ignore = ["curl-dangling-continuation"]\nfail-on = "warning"\n')
    project = tmp_path / "project"
    assert invoke("lint", "docs", "--fail-on", "warning", cwd=project)[0] == 1
    assert invoke("lint", "docs", "--config", str(settings), cwd=project)[0] == 0
    assert load_config_file(settings).source == str(settings)


def test_config_option_with_a_missing_file_is_one_line(tmp_path: Path) -> None:
    _doc_set(tmp_path)
    code, out = invoke("lint", "docs", "--config", "nosuch.toml", cwd=tmp_path)
    assert code == 2
    assert "nosuch.toml: no such configuration file" in _one_line(out)


def test_config_help_names_the_three_kinds() -> None:
    _, out = invoke("lint", "--help")
    assert ".doctract.toml" in out and "doctract.toml" in out and "[tool.doctract]" in out


# --- unknown keys and rule ids -------------------------------------------------------------


def test_unknown_key_is_one_line_naming_the_file_with_a_suggestion(tmp_path: Path) -> None:
    _doc_set(tmp_path)
    (tmp_path / ".doctract.toml").write_text('fail_on = "warning"\n')
    code, out = invoke("lint", "docs", cwd=tmp_path)
    assert code == 2
    line = _one_line(out)
    assert str(tmp_path / ".doctract.toml") in line
    assert "unknown key(s): fail_on (did you mean fail-on?)" in line
    (tmp_path / ".doctract.toml").write_text('fail-on = "warning"\n')
    assert invoke("lint", "docs", cwd=tmp_path)[0] == 1


def test_unknown_key_in_pyproject_names_the_table(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.doctract]\nopenap = "x.yaml"\n')
    with pytest.raises(ConfigError, match=r"unknown \[tool.doctract\] key\(s\): openap "):
        load_config(tmp_path)


def test_unknown_rule_id_in_config_is_one_line_with_a_suggestion(tmp_path: Path) -> None:
    _doc_set(tmp_path)
    (tmp_path / "doctract.toml").write_text('ignore = ["id-unknwn"]\n')
    code, out = invoke("lint", "docs", cwd=tmp_path)
    assert code == 2
    line = _one_line(out)
    assert str(tmp_path / "doctract.toml") in line
    assert "ignore: unknown rule id(s): id-unknwn (did you mean id-unknown?)" in line
    (tmp_path / "doctract.toml").write_text('ignore = ["id-unknown", "curl-*"]\n')
    assert invoke("lint", "docs", cwd=tmp_path)[0] == 0


def test_profile_rules_are_known_ids(tmp_path: Path) -> None:
    (tmp_path / ".doctract.toml").write_text('ignore = ["publish-endpoint-mismatch"]\n')
    assert load_config(tmp_path).ignore == {"publish-endpoint-mismatch"}


def test_select_glob_matching_no_rule_is_an_error(tmp_path: Path) -> None:
    _doc_set(tmp_path)
    (tmp_path / ".doctract.toml").write_text('select = ["crul-*"]\n')
    code, out = invoke("lint", "docs", cwd=tmp_path)
    assert code == 2
    line = _one_line(out)
    assert str(tmp_path / ".doctract.toml") in line and "matching no rule: crul-*" in line
    (tmp_path / ".doctract.toml").write_text('select = ["curl-*"]\nfail-on = "warning"\n')
    assert invoke("lint", "docs", cwd=tmp_path)[0] == 1


def test_command_line_rule_ids_get_a_suggestion(tmp_path: Path) -> None:
    _doc_set(tmp_path)
    code, out = invoke("lint", "docs", "--ignore", "curl-dangling-continuaton", cwd=tmp_path)
    assert code == 2
    assert "did you mean curl-dangling-continuation?" in _one_line(out)
    code, out = invoke("lint", "docs", "--select", "nothing-*", cwd=tmp_path)
    assert code == 2
    assert "--select: glob(s) matching no rule: nothing-*" in _one_line(out)
    assert invoke("lint", "docs", "--ignore", "curl-dangling-continuation", cwd=tmp_path)[0] == 0


# --- doctract init -------------------------------------------------------------------------


def _search_engine_copy(folder: Path) -> None:
    shutil.copytree(SEARCH_ENGINE / "docs", folder / "docs")
    shutil.copy(SEARCH_ENGINE / "openapi.yaml", folder / "openapi.yaml")


def test_init_detects_the_contract_and_lint_uses_it(tmp_path: Path) -> None:
    _search_engine_copy(tmp_path)
    code, out = invoke("init", cwd=tmp_path)
    assert code == 0, out
    assert "wrote .doctract.toml" in out and "openapi: openapi.yaml" in out
    written = tmp_path / ".doctract.toml"
    text = written.read_text()
    assert '# required-headers = ["Authorization"]' in text  # detected, the contract rules
    config = load_config(tmp_path)
    assert config.source == str(written)
    assert config.openapi == (ContractSource("openapi.yaml"),)
    assert config.host is None  # the docs write MEILISEARCH_URL: no host to detect
    assert config.required_headers is None
    code, out = invoke("lint", "docs", "--format", "json", cwd=tmp_path)
    assert code == 1
    findings = json.loads(out)["findings"]
    assert {
        (f["line"], f["rule"])
        for f in findings
        if f["path"].endswith("defects.md") and f["severity"] != "info"
    } == PLANTED
    assert not [f for f in findings if f["path"].endswith("getting-started.md")]


def test_init_every_setting_is_commented(tmp_path: Path) -> None:
    _search_engine_copy(tmp_path)
    assert invoke("init", "docs", cwd=tmp_path)[0] == 0
    lines = (tmp_path / ".doctract.toml").read_text().splitlines()
    for index, line in enumerate(lines):
        if line and not line.startswith("#"):  # a setting: a comment says what it does
            assert lines[index - 1].startswith("#"), line


def test_init_detects_host_and_auth_headers(tmp_path: Path) -> None:
    request = (
        "```bash\ncurl -X {method} 'https://api.example.com/v1/{what}' \\\n"
        "  -H 'x-api-key: {{API_KEY}}' \\\n  -H 'Accept: application/json'\n```\n\n"
    )
    text = "# Guide\n\n" + "".join(
        request.format(method=m, what=w)
        for m, w in [("GET", "items"), ("GET", "users"), ("DELETE", "items/1")]
    )
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "guide.md").write_text(text)
    code, out = invoke("init", "docs", cwd=tmp_path)
    assert code == 0, out
    assert "host: api.example.com" in out and "auth headers: x-api-key" in out
    config = load_config(tmp_path)
    assert config.host == "api.example.com"
    assert config.required_headers == ("x-api-key",)  # no contract: the docs' convention
    assert config.openapi == ()


def test_init_with_two_equal_contracts_lists_both_commented(tmp_path: Path) -> None:
    _search_engine_copy(tmp_path)
    shutil.copy(SEARCH_ENGINE / "openapi.yaml", tmp_path / "docs" / "swagger.yaml")
    (tmp_path / "openapi.json").write_text('{"swagger": "2.0"}')
    assert invoke("init", cwd=tmp_path)[0] == 0
    text = (tmp_path / ".doctract.toml").read_text()
    assert '# openapi = "openapi.yaml"' in text and '# openapi = "docs/swagger.yaml"' in text
    assert "not an OpenAPI 3 document doctract can read: openapi.json" in text
    assert load_config(tmp_path).openapi == ()


def test_init_refuses_to_overwrite_unless_forced(tmp_path: Path) -> None:
    _search_engine_copy(tmp_path)
    (tmp_path / ".doctract.toml").write_text("# mine\n")
    code, out = invoke("init", cwd=tmp_path)
    assert code == 2
    assert ".doctract.toml exists already" in _one_line(out)
    assert (tmp_path / ".doctract.toml").read_text() == "# mine\n"
    assert invoke("init", "--force", cwd=tmp_path)[0] == 0
    assert "openapi =" in (tmp_path / ".doctract.toml").read_text()


def test_init_with_a_missing_path_is_one_line(tmp_path: Path) -> None:
    code, out = invoke("init", "nosuch", cwd=tmp_path)
    assert code == 2
    assert "no such file or folder: nosuch" in _one_line(out)
    assert not (tmp_path / ".doctract.toml").exists()


# --- public placeholders ---------------------------------------------------------------------


def test_public_placeholders_are_declared_by_name(tmp_path: Path) -> None:
    (tmp_path / ".doctract.toml").write_text(
        'public-placeholders = ["DEPLOYMENT_SLOT", "TEAM"]\n[placeholders]\nTEAM = "blue-42"\n'
    )
    config = load_config(tmp_path)
    assert config.public_placeholders == {"DEPLOYMENT_SLOT", "TEAM"}
    (tmp_path / ".doctract.toml").write_text("public-placeholders = 3\n")
    with pytest.raises(ConfigError, match="public-placeholders must be a list of strings"):
        load_config(tmp_path)
