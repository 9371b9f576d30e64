"""`doctract generate`: write one feature per tutorial, and `doctract run`'s pytest invocation."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from doctract.api import Api
from doctract.budget import BudgetExceeded, alarm_handler, time_budget
from doctract.config import Config
from doctract.contract import Secrets
from doctract.errors import DoctractError
from doctract.extractors import extract
from doctract.findings import Finding, Severity
from doctract.interrupts import signal_name
from doctract.lint import api_of, discover, over_budget, read_document
from doctract.pool import ordered_map, workers_for
from doctract.project import flat_name, project_root, root_relative
from doctract.replay.gherkin import feature_text
from doctract.replay.interrupted import ReplayInterrupted
from doctract.replay.session import ReplayOptions
from doctract.secrets import Scrubber, for_config

if TYPE_CHECKING:
    import pytest

MARKER = "@doctract"
UNUSED_PLUGINS = (
    *("schemathesis", "hypothesispytest", "anyio", "platformdirs"),
    # `doctract run --workers` has processes of its own (doctract.replay.workers)
    *("xdist", "xdist.looponfail"),
    # pytest's own that a replay does not use: pytest-bdd looks a step up among every fixture
    # name there is, so each plugin's fixtures (tmp_path, monkeypatch, ...) cost each step
    *("legacypath", "tmpdir", "monkeypatch", "recwarn", "doctest", "junitxml", "subtests"),
    *("pastebin", "stepwise", "setuponly", "setupplan"),
)


@dataclass(frozen=True)
class Generated:
    written: list[Path]
    problems: list[Finding]


def _feature_path(doc: str, roots: Sequence[str], out: Path) -> Path:
    """The feature's file in `out`: unique and bounded (see doctract.project.flat_name)."""
    for root in roots:
        if os.path.isdir(root) and Path(doc).is_relative_to(root):
            rel = Path(doc).relative_to(root)
            return out / (flat_name(rel.with_suffix("").as_posix()) + ".feature")
    return out / (flat_name(Path(doc).stem) + ".feature")


def generate(
    paths: Sequence[str],
    out: Path,
    config: Config | None = None,
    root: Path | None = None,
    jobs: int | None = None,
) -> Generated:
    """Features hold each doc's path relative to the project root (`root`, by default the
    configuration's folder, else the git root, else here), whatever the current folder.
    Documents are turned into features on `jobs` processes (None: every available core,
    where there are enough of them to pay for a pool: doctract.pool), files written here."""
    config = config or Config()
    root = root or project_root(config)
    files, problems = discover(paths, config)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    def setup() -> Callable[[str], tuple[str | None, Finding | None]]:
        api = _api(config)
        names, examples = api.contracts.secrets, api.profile.credential_examples
        scrubber = for_config(config, secret_names=names)
        return partial(_feature_of, config, root, names, examples, scrubber)

    # one SIGALRM handler for every document's budget, here and in the workers (as the lint)
    with alarm_handler(), ordered_map(setup, files, workers_for(len(files), jobs)) as features:
        for doc, (content, problem) in zip(files, features, strict=True):
            if content is None:
                problems.extend([problem] if problem else [])
                continue
            target = _feature_path(Path(doc).as_posix(), paths, out)
            if target.is_symlink():  # never write through a link to somewhere outside --out
                target.unlink()
            if not target.exists() or target.read_text(encoding="utf-8") != content:
                target.write_text(content, encoding="utf-8")
            written.append(target)
    for stale in out.glob("*.feature"):  # features of docs that are gone
        if stale not in written and stale.read_text(encoding="utf-8").startswith(MARKER):
            stale.unlink()
    return Generated(written, problems)


def _feature_of(
    config: Config,
    root: Path,
    names: Secrets,
    examples: Mapping[str, str],
    scrubber: Scrubber,
    doc: str,
) -> tuple[str | None, Finding | None]:
    """One document's feature text, or why it has none (a finding; None: nothing to say).
    The contract's secret names and the profile's credential headers become placeholders, so
    that no literal credential of the doc is copied; what is left of a secret is scrubbed."""
    text, problem = read_document(doc, config.max_file_size)
    if problem is not None or text is None:
        return None, problem
    try:
        with time_budget(config.time_budget):
            tutorial = extract(root_relative(doc, root), text)
            return scrubber.text(feature_text(tutorial, names, examples)), None
    except BudgetExceeded:
        return None, over_budget(doc, "reading", config.time_budget)


def _api(config: Config) -> Api:
    """The configuration's API (its contract names secrets, its profile credential headers);
    none when it cannot be read (lint and run report that)."""
    try:
        return api_of(config)
    except DoctractError:
        return Api()


def feature_files(paths: Sequence[str]) -> list[Path]:
    found: list[Path] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found += sorted(path.rglob("*.feature"))
        elif path.suffix == ".feature":
            found.append(path)
    return found


def unparsable(feature: Path) -> str | None:
    """Why pytest-bdd cannot parse a feature (one line), None when it can. pytest-bdd keeps
    what it parsed: collecting the feature afterwards does not parse it again."""
    from pytest_bdd.feature import get_feature

    resolved = feature.resolve()
    try:
        get_feature(str(resolved.parent), resolved.name)
    except Exception as exc:
        reason = " ".join(str(exc).split())[:300]
        return f"{type(exc).__name__}: {reason}"
    return None


def collectable(features: Sequence[str]) -> list[str]:
    """The features pytest-bdd can parse. All of a run's features are collected by one test
    module, where one that cannot be parsed would stop every tutorial; the others are left out
    here and reported by the run as features that did not run (`unparsable` says why)."""
    return [feature for feature in features if unparsable(Path(feature)) is None]


def run_features(
    features: Sequence[Path],
    options: ReplayOptions,
    extra_args: Sequence[str] = (),
    plugins: Sequence[object] = (),
) -> tuple[int, list[dict[str, Any]]]:
    """Run features with pytest-bdd through the doctract plugin; (pytest status, one record
    per tutorial sorted by path: findings, requests, status, see Replay.record)."""
    import pytest

    from doctract.replay.plugin import KeptRecords

    with tempfile.TemporaryDirectory(prefix="doctract-run-") as tmp:
        # a fresh module name per run: pytest.main may run several times in one process
        module = Path(tmp) / f"test_{Path(tmp).name.replace('-', '_')}.py"
        listed = ", ".join(repr(str(f.resolve())) for f in features)
        # pytest-bdd parses the features as it collects them, leaving out those it cannot
        # parse (see `collectable`)
        module.write_text(
            "from pytest_bdd import scenarios\n\n"
            "from doctract.replay.generate import collectable\n\n"
            f"FEATURES = collectable([{listed}])\n"
            "if FEATURES:\n"
            "    scenarios(*FEATURES)\n"
        )
        args = [
            str(module),
            "-p",
            "no:cacheprovider",
            # no assertion rewriting: the steps report through findings, and rewriting every
            # plugin module on import cost each run seconds of start-up
            "--assert=plain",
            # plugins installed beside doctract that a replay does not use: each one is import
            # time in every run
            *(arg for name in UNUSED_PLUGINS for arg in ("-p", f"no:{name}")),
            f"--rootdir={Path.cwd()}",
            f"--doctract-record={options.record}",
            f"--doctract-cassettes={options.cassettes.resolve()}",
            *([f"--doctract-root={options.root}"] if options.root else []),
            *extra_args,
        ]
        if options.live:
            args.append(f"--doctract-live={options.live}")
        args += [f"--doctract-openapi={path}" for path in options.openapi]
        if options.profile:
            args.append(f"--doctract-profile={options.profile}")
        if options.emulator:
            args.append("--doctract-emulator")
        if options.keep:
            args.append("--doctract-keep")
        if options.allow_destructive:
            args.append("--doctract-allow-destructive")
        ctrl_c = _CtrlC()
        kept = KeptRecords()
        try:
            status = int(pytest.main(args, plugins=[*plugins, ctrl_c, kept]))
        except KeyboardInterrupt as interrupt:  # after the session (unconfigure): its records
            raise ReplayInterrupted(signal_name(interrupt), in_path_order(kept.records)) from None
    records = in_path_order(kept.records)
    if ctrl_c.signal is not None:  # pytest caught the Ctrl-C (SIGTERM) and stopped: pass it on
        raise ReplayInterrupted(ctrl_c.signal, records)
    return status, records


def in_path_order(records: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """A run's records in the order it reports them: by tutorial path, then pytest node."""
    return sorted(records, key=lambda r: (r["path"], r.get("node", "")))


class _CtrlC:
    """A pytest plugin noting whether the run was stopped by Ctrl-C or SIGTERM, and which."""

    signal: str | None = None

    def pytest_keyboard_interrupt(self, excinfo: pytest.ExceptionInfo[BaseException]) -> None:
        import pytest

        # pytest also stops this way on a collection error (Session.Interrupted is a
        # KeyboardInterrupt): that is a feature that did not run, not a Ctrl-C
        if not isinstance(excinfo.value, pytest.Session.Interrupted):
            self.signal = signal_name(excinfo.value)


def findings_of(results: Sequence[dict[str, Any]]) -> list[Finding]:
    found = []
    for result in results:
        for raw in result["findings"]:
            found.append(
                Finding(
                    raw["rule"],
                    Severity(raw["severity"]),
                    raw["path"],
                    raw["line"],
                    raw["column"],
                    raw["message"],
                    raw["hint"],
                    raw["evidence"],
                )
            )
    return found
