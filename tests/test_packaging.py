"""doctract installs without a clone: `python -m build` makes an sdist and a wheel (built from
the sdist) that carry every package, the bundled data and the entry points, and the wheel
installed with its dependencies in a fresh virtual environment lints docs from outside the
repository. The example workflow installs doctract the way the README says."""

from __future__ import annotations

import configparser
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import time
import tomllib
import warnings
import zipfile
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from conftest import EXAMPLES, ROOT
from doctract import __version__
from doctract.cli import main

PACKAGE = ROOT / "doctract"
DATA = (
    "doctract/py.typed",
    "doctract/specs/flow-service.yaml",
    "doctract/emulator/catalog.json",
    "doctract/report/templates/report.html.j2",
)
ENTRY_POINTS = {
    "console_scripts": {"doctract": "doctract.cli:run"},
    "pytest11": {"doctract": "doctract.replay.plugin"},
    "doctract.profiles": {"flow-service": "doctract.profiles.flow_service:PROFILE"},
}
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
# pip's words for "the package index could not be reached"
OFFLINE = re.compile(
    r"NewConnectionError|Temporary failure in name resolution|Network is unreachable|"
    r"Max retries exceeded|No matching distribution found|Could not find a version",
)
# run by the installed interpreter: where doctract comes from, its entry points (loaded) and
# whether each bundled data file is there
PROBE = """
import json, sys, doctract
from importlib.metadata import entry_points
from importlib.resources import files
loaded = {g: sorted(e.name for e in entry_points(group=g) if e.module.startswith("doctract")
                    and e.load()) for g in ("pytest11", "doctract.profiles")}
data = [(files("doctract") / p.removeprefix("doctract/")).is_file()
        for p in json.loads(sys.argv[1])]
print(json.dumps([doctract.__file__, loaded, data]))
"""


def _package_files() -> set[str]:
    """Every file of the source package, as the wheel names it (no bytecode)."""
    return {
        path.relative_to(ROOT).as_posix()
        for path in PACKAGE.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }


@pytest.fixture(scope="module")
def dists(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(sdist, wheel) from `python -m build`: the wheel is built from the unpacked sdist, so a
    file the sdist forgets is missing from the wheel too."""
    pytest.importorskip("build", reason="`build` is in the dev extra: pip install -e '.[dev]'")
    out = tmp_path_factory.mktemp("dist")
    command = [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(ROOT)]
    done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    (sdist,) = out.glob("doctract-*.tar.gz")
    (wheel,) = out.glob("doctract-*-py3-none-any.whl")
    assert wheel.name == f"doctract-{__version__}-py3-none-any.whl"
    return sdist, wheel


def test_wheel_carries_every_package_the_data_and_the_entry_points(
    dists: tuple[Path, Path],
) -> None:
    _, wheel = dists
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        info = f"doctract-{__version__}.dist-info"
        entry_points = configparser.ConfigParser(delimiters=("=",))
        entry_points.optionxform = str  # type: ignore[assignment,method-assign]
        entry_points.read_string(archive.read(f"{info}/entry_points.txt").decode())
        metadata = archive.read(f"{info}/METADATA").decode()
    package = {name for name in names if name.startswith("doctract/")}
    assert set(DATA) <= package
    for subpackage in ("doctract/contract", "doctract/profiles", "doctract/profiles/flow_service"):
        assert f"{subpackage}/__init__.py" in package
    assert package == _package_files()  # nothing left behind, nothing stale
    assert {name.split("/")[0] for name in names} == {"doctract", info}  # no `extractors` link
    for group, entries in ENTRY_POINTS.items():
        assert dict(entry_points[group]) == entries, group
    for dependency in PYPROJECT["project"]["dependencies"]:
        assert f"Requires-Dist: {dependency}" in metadata
    assert "Project-URL: Documentation, " in metadata


def test_sdist_rebuilds_the_package(dists: tuple[Path, Path]) -> None:
    sdist, _ = dists
    root = sdist.name.removesuffix(".tar.gz")
    with tarfile.open(sdist) as archive:
        names = set(archive.getnames())
        links = [m.name for m in archive.getmembers() if m.issym() or m.islnk()]
    assert {f"{root}/pyproject.toml", f"{root}/README.md"} <= names
    assert {f"{root}/{name}" for name in _package_files()} <= names
    assert not links  # the top-level `extractors` link is not shipped


def _clean_env() -> dict[str, str]:
    """This environment without what would put the source tree or .venv on the path."""
    return {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}


def _venv_python(venv: Path) -> Path:
    return venv / ("Scripts" if os.name == "nt" else "bin") / "python"


def _install(wheel: Path, venv: Path) -> str:
    """Install WHEEL in a fresh venv with its dependencies from the package index; when the
    index cannot be reached, install it alone over this environment's dependencies (its
    site-packages on the path, after the venv's own, so the wheel's doctract is the one
    imported). Returns how it was installed."""
    env = _clean_env()
    subprocess.run([sys.executable, "-m", "venv", str(venv)], env=env, check=True, timeout=120)
    python = _venv_python(venv)
    pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    done = subprocess.run(
        [*pip, str(wheel)], env=env, capture_output=True, text=True, check=False, timeout=600
    )
    if done.returncode == 0:
        return "with its dependencies"
    assert OFFLINE.search(done.stdout + done.stderr), done.stdout[-3000:] + done.stderr[-3000:]
    warnings.warn(
        "the package index is unreachable: the wheel is installed without its dependencies "
        "over the development environment's",
        stacklevel=2,
    )
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    Path(site, "dev-environment.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([*pip, "--no-deps", str(wheel)], env=env, check=True, timeout=300)
    return "without its dependencies (offline)"


def test_installed_wheel_lints_docs_outside_the_repository(
    dists: tuple[Path, Path], tmp_path: Path
) -> None:
    _, wheel = dists
    venv = tmp_path / "venv"
    started = time.perf_counter()
    how = _install(wheel, venv)
    print(f"wheel installed {how} in {time.perf_counter() - started:.1f} s")
    python = _venv_python(venv)
    doctract = python.with_name("doctract.exe" if os.name == "nt" else "doctract")
    env = _clean_env()

    def run(*argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            argv, cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=300
        )

    # the installed package, its data and its entry points, not the source tree
    probe = run(str(python), "-c", PROBE, json.dumps(DATA), cwd=tmp_path)
    assert probe.returncode == 0, probe.stderr
    location, loaded, data = json.loads(probe.stdout)
    assert Path(location).is_relative_to(venv), location
    assert loaded == {"pytest11": ["doctract"], "doctract.profiles": ["flow-service"]}
    assert all(data)

    # the example docs with the Flow Service profile (the entry point) and its bundled contract
    flow = tmp_path / "flow"
    shutil.copytree(EXAMPLES, flow / "docs")
    (flow / "pyproject.toml").write_text('[tool.doctract]\nprofile = "flow-service"\n')
    done = run(str(doctract), "lint", "docs", cwd=flow)
    assert done.returncode == 1, done.stdout[-2000:] + done.stderr
    assert "publish-endpoint-mismatch" in done.stdout
    assert "request-body-schema" in done.stdout  # the bundled contract is read

    # another API's doc set, its contract given on the command line, no profile
    search = tmp_path / "search-engine"
    fixture = ROOT / "tests" / "fixtures" / "apis" / "search-engine"
    shutil.copytree(fixture / "docs", search / "docs")
    shutil.copy(fixture / "openapi.yaml", search / "contract.yaml")
    done = run(
        str(doctract), "lint", "--openapi", "contract.yaml", "docs", "--format", "json", cwd=search
    )
    assert done.returncode == 1, done.stdout[-2000:] + done.stderr
    rules = {finding["rule"] for finding in json.loads(done.stdout)["findings"]}
    assert {"unknown-operation", "request-body-schema"} <= rules
    assert "publish-endpoint-mismatch" not in rules


def test_workflow_installs_the_way_the_readme_says() -> None:
    workflow = yaml.safe_load((ROOT / "docs" / "github-actions.yml").read_text())
    requirement = workflow["env"]["DOCTRACT_PACKAGE"]
    assert requirement.startswith("doctract @ git+https://")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f'pip install "{requirement}"' in readme
    assert f"pipx install {requirement.removeprefix('doctract @ ')}" in readme
    installs = [
        step["run"]
        for job in workflow["jobs"].values()
        for step in job["steps"]
        if "pip install" in step.get("run", "")
    ]
    assert installs == ['pip install "$DOCTRACT_PACKAGE"'] * len(workflow["jobs"])


def test_sarif_points_to_the_project_not_to_pypi() -> None:
    result = CliRunner().invoke(main, ["lint", str(EXAMPLES / "flow-service"), "--format", "sarif"])
    driver = json.loads(result.output)["runs"][0]["tool"]["driver"]
    assert driver["informationUri"] == PYPROJECT["project"]["urls"]["Documentation"]
    assert "pypi.org" not in driver["informationUri"]
