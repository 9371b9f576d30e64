"""The `doctract` command line."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from doctract import __version__
from doctract.baseline import BASELINE_NAME, Baseline, BaselineError, write_baseline
from doctract.changes import ChangesError, changed_files
from doctract.checks import RULES
from doctract.config import Config, check_rule_ids, load_config, load_config_file
from doctract.contract import ContractSource
from doctract.errors import DoctractError
from doctract.findings import Finding, Severity
from doctract.interrupts import signal_name, terminate_as_interrupt
from doctract.lint import LintResult, discover, file_error, lint_paths
from doctract.output import FORMATS, render
from doctract.rule_ids import INTERNAL_ERROR
from doctract.secrets import NO_SECRETS, Scrubber, for_config
from doctract.secrets.stream import ScrubbingStream, scrubbing

if TYPE_CHECKING:
    from doctract.replay.session import ReplayOptions
    from doctract.replay.shards import Shard


class OneLineError(click.ClickException):
    """An error the user can fix, said in one line (no usage text), exit status 2."""

    exit_code = 2

    def show(self, file: Any = None) -> None:
        click.echo(f"doctract: {self.format_message()}", err=True)


class Interrupted(click.ClickException):
    """Ctrl-C or SIGTERM: a line saying so (and what the command interrupted and cleaned, when
    it says) and exit status 130, whatever the command was doing."""

    exit_code = 130

    def __init__(self, interrupt: KeyboardInterrupt) -> None:
        name = signal_name(interrupt)
        super().__init__("interrupted" if name == "SIGINT" else f"interrupted by {name}")
        self.detail = str(interrupt)

    def show(self, file: Any = None) -> None:
        click.echo(f"doctract: {self.message}", err=True)
        if self.detail:
            click.echo(self.detail, err=True)


class DoctractGroup(click.Group):
    """The command group: Ctrl-C, and SIGTERM taking the same path (doctract.interrupts),
    anywhere in a command is `Interrupted` (click's own handling would print "Aborted!" and
    exit 1; SIGTERM would end the process with nothing cleaned up)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            with terminate_as_interrupt():
                return super().invoke(ctx)
        except KeyboardInterrupt as interrupt:
            raise Interrupted(interrupt) from None


def _rule_list(value: str | None) -> frozenset[str] | None:
    if value is None:
        return None
    return frozenset(v.strip() for v in value.split(",") if v.strip())


@click.group(cls=DoctractGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="doctract")
@click.option(
    "--debug",
    is_flag=True,
    help="On an internal error, print the traceback (secret values are still removed).",
)
def main(debug: bool) -> None:
    """doctract turns REST API tutorials into contract tests."""
    if debug:
        os.environ["DOCTRACT_DEBUG"] = "1"


def _api_options(command: Callable[..., None]) -> Callable[..., None]:
    """--openapi and --profile: the API the docs document (shared by lint, generate, run)."""
    options = [
        click.option(
            "--openapi",
            "openapi",
            multiple=True,
            metavar="PATH",
            help="The API's OpenAPI document (JSON or YAML, 3.0 or 3.1); repeat for several "
            "APIs. Default: `openapi` in the configuration file, else the profile's bundled "
            "contract.",
        ),
        click.option(
            "--profile",
            default=None,
            help="The API profile (e.g. flow-service; default: `profile` in the configuration "
            "file, else none: everything comes from the contract).",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _with_api(config: Config, openapi: tuple[str, ...], profile: str | None) -> Config:
    """Command-line --openapi (relative to the current folder) and --profile win."""
    if openapi:
        sources = tuple(ContractSource(str(Path(p).resolve())) for p in openapi)
        config = config.with_options(openapi=sources)
    config = config.with_options(profile=profile)
    try:  # a broken contract or an unknown profile is one line before any work
        from doctract.lint import api_of

        api_of(config)
    except DoctractError as exc:
        raise OneLineError(str(exc)) from None
    return config


def _lint_options(command: Callable[..., None]) -> Callable[..., None]:
    """Options shared by `lint` and `baseline write`."""
    command = _api_options(command)
    options = [
        click.option(
            "-j",
            "--jobs",
            type=click.IntRange(min=1),
            default=None,
            metavar="N",
            help="Lint with N processes (default: one per available core; 1: no other "
            "process). Small doc sets run in one process whatever N is.",
        ),
        click.option("--select", default=None, help="Comma-separated rule ids (or globs) to run."),
        click.option("--ignore", default=None, help="Comma-separated rule ids (or globs) to skip."),
        click.option(
            "--config",
            "config_path",
            type=click.Path(dir_okay=False),
            default=None,
            help="Configuration file: .doctract.toml, doctract.toml or a pyproject.toml's "
            "[tool.doctract] (default: the nearest one, from here upwards).",
        ),
        click.option(
            "--baseline",
            "baseline_path",
            type=click.Path(dir_okay=False),
            default=None,
            help=f"Baseline file (default: {BASELINE_NAME} beside the configuration file, or "
            "here).",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _config(config_path: str | None, select: str | None, ignore: str | None) -> Config:
    """The configuration (--config FILE, else the one found from here upwards) under --select
    and --ignore; a bad file, an unknown rule id or a glob matching no rule is one line."""
    _load_profile_rules()
    try:
        config = load_config_file(Path(config_path)) if config_path else load_config()
        check_rule_ids(_rule_list(select) or (), "--select")
        check_rule_ids(_rule_list(ignore) or (), "--ignore")
    except DoctractError as exc:
        raise OneLineError(str(exc)) from None
    return config.with_options(select=_rule_list(select), ignore=_rule_list(ignore))


def _load_profile_rules() -> None:
    """Every installed profile's rules, so ids, listings and SARIF know them."""
    from doctract.profile import load_all

    try:
        load_all()
    except DoctractError as exc:
        raise OneLineError(str(exc)) from None


def _project_root(config: Config) -> Path:
    """The configuration file's folder, else the git root, else here (doctract.project)."""
    from doctract.project import project_root

    return project_root(config)


def _baseline_file(config: Config, given: str | None) -> Path:
    return Path(given) if given else _project_root(config) / BASELINE_NAME


def _allow_empty(command: Callable[..., None]) -> Callable[..., None]:
    return click.option(
        "--allow-empty",
        is_flag=True,
        help="Exit 0 when the paths hold no documents (default: exit 2, no documents found).",
    )(command)


def _missing(paths: Sequence[str]) -> list[str]:
    """The paths given that do not exist (exit status 2 for every command)."""
    return [p for p in paths if not os.path.exists(p)]


def _no_such_paths(paths: Sequence[str]) -> None:
    missing = _missing(paths)
    if missing:
        raise OneLineError(f"no such file or folder: {', '.join(missing)}")


def _check_found(paths: Sequence[str], found: int, allow_empty: bool, config: Config) -> None:
    """No documents under the paths given is exit status 2, unless --allow-empty."""
    if not found and not allow_empty:
        raise OneLineError(
            f"no documents found in {', '.join(paths)} ({', '.join(config.extensions)} files; "
            "--allow-empty to accept that)"
        )


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(sorted(FORMATS)),
    default=None,
    help="Output format (default: text, or `format` in the configuration file).",
)
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "info"]),
    default=None,
    help="Exit 1 when a finding is at or above this severity (default: error).",
)
@click.option(
    "--changed-since",
    metavar="REF",
    default=None,
    help="Check only documents changed since this git ref, and those depending on them.",
)
@click.option(
    "--no-baseline", is_flag=True, help="Report every finding, also those in the baseline."
)
@click.option(
    "-q",
    "--quiet",
    is_flag=True,
    help="No progress on stderr (by default: a bar on a terminal; in CI logs, one line per "
    "100 files on runs over 100 files). The report on stdout is the same either way.",
)
@_allow_empty
@_lint_options
def lint(
    paths: tuple[str, ...],
    output_format: str | None,
    fail_on: str | None,
    changed_since: str | None,
    no_baseline: bool,
    quiet: bool,
    allow_empty: bool,
    jobs: int | None,
    select: str | None,
    ignore: str | None,
    config_path: str | None,
    baseline_path: str | None,
    openapi: tuple[str, ...],
    profile: str | None,
) -> None:
    """Check tutorials statically and report every divergence at its line.

    PATHS are files or folders (walked for .md, .mdx, .markdown and .txt files). When a
    baseline file exists, only findings it does not hold are reported (see `doctract baseline
    write`).

    Exit status: 0 no finding at or above --fail-on, 1 some, 2 could not run (usage error, a
    PATH that does not exist (also reported as a read-error line), no documents found without
    --allow-empty, bad configuration, internal error), 130 interrupted (Ctrl-C).
    """
    config = _with_api(_config(config_path, select, ignore), openapi, profile).with_options(
        fail_on=Severity.parse(fail_on) if fail_on else None, output_format=output_format
    )
    if config.output_format not in FORMATS:
        raise click.UsageError(f"unknown format {config.output_format!r} in {config.source}")
    baseline_file = _baseline_file(config, baseline_path)
    baseline = None
    if not no_baseline and (baseline_path or baseline_file.exists()):
        try:
            baseline = Baseline.load(baseline_file)
        except BaselineError as exc:
            raise click.UsageError(str(exc)) from None
    changed = None
    if changed_since:
        try:
            changed = changed_files(changed_since)
        except ChangesError as exc:
            raise click.UsageError(f"--changed-since {changed_since}: {exc}") from None
    discovered = discover(paths, config)
    missing = _missing(paths)  # each is a read-error line in the output, and exit status 2
    if not missing:
        _check_found(paths, len(discovered[0]), allow_empty, config)
    from doctract.output.progress import LintProgress

    progress = None if quiet else LintProgress()
    result = lint_paths(
        list(paths), config, changed, discovered=discovered, progress=progress, jobs=jobs
    )
    if baseline is not None:
        result = baseline.apply(result, _project_root(config))
    render(result, config.output_format, sys.stdout, _scrubber(config))
    sys.stdout.flush()
    sys.exit(2 if missing else 1 if result.failed(config.fail_on) else 0)


@main.group()
def baseline() -> None:
    """Accept today's findings, so that later runs report only new ones."""


@baseline.command("write")
@click.argument("paths", nargs=-1, required=True)
@_allow_empty
@_lint_options
def baseline_write(
    paths: tuple[str, ...],
    allow_empty: bool,
    jobs: int | None,
    select: str | None,
    ignore: str | None,
    config_path: str | None,
    baseline_path: str | None,
    openapi: tuple[str, ...],
    profile: str | None,
) -> None:
    """Record every current finding under PATHS in the baseline file (rewritten: findings
    fixed since the last write drop out).

    Exit status: 0 written, 2 could not run (usage error, a PATH that does not exist, no
    documents found without --allow-empty, the file cannot be written), 130 interrupted.
    """
    config = _with_api(_config(config_path, select, ignore), openapi, profile)
    target = _baseline_file(config, baseline_path)
    _no_such_paths(paths)
    discovered = discover(paths, config)
    _check_found(paths, len(discovered[0]), allow_empty, config)
    result = lint_paths(list(paths), config, discovered=discovered, jobs=jobs)
    try:
        count = write_baseline(target, result, _project_root(config), _scrubber(config))
    except OSError as exc:
        raise click.UsageError(f"{target}: cannot write the baseline: {exc.strerror}") from None
    click.echo(f"doctract: {count} findings recorded in {target}")


@main.command("rules")
@click.option("--markdown", is_flag=True, help="Print the rules as a Markdown table.")
def rules_command(markdown: bool) -> None:
    """List every rule with its id, default severity and summary (a profile's rules run only
    when that profile is selected).

    Exit status: 0 listed, 2 could not run (a profile that cannot be loaded).
    """
    _load_profile_rules()
    if markdown:
        click.echo("| rule | stage | severity | what it reports |\n| --- | --- | --- | --- |")
    for rule_id in sorted(RULES):
        rule = RULES[rule_id]
        if markdown:
            stage = f"{rule.stage} ({rule.profile})" if rule.profile else rule.stage
            click.echo(f"| `{rule_id}` | {stage} | {rule.severity.value} | {rule.summary} |")
        else:
            where = f" [{rule.profile}]" if rule.profile else ""
            click.echo(f"{rule_id:28} {rule.severity.value:8} {rule.summary}{where}")


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "--out",
    type=click.Path(file_okay=False),
    default="features",
    show_default=True,
    help="Folder for the .feature files.",
)
@_allow_empty
@_api_options
def generate(
    paths: tuple[str, ...],
    out: str,
    allow_empty: bool,
    openapi: tuple[str, ...],
    profile: str | None,
) -> None:
    """Write one Gherkin feature per tutorial (pytest-bdd), deterministic and readable.

    Exit status: 0 every feature written, 1 some documents could not be read (one line
    each), 2 could not run (usage error, a PATH that does not exist, no documents found
    without --allow-empty), 130 interrupted (Ctrl-C).
    """
    from doctract.replay.generate import generate as write_features

    config = _with_api(_config(None, None, None), openapi, profile)
    _no_such_paths(paths)
    _check_found(paths, len(discover(paths, config)[0]), allow_empty, config)
    result = write_features(list(paths), Path(out), config)
    for problem in result.problems:
        click.echo(f"{problem.path}:{problem.line}: {problem.rule}: {problem.message}", err=True)
    click.echo(f"{len(result.written)} features in {out}")
    sys.exit(1 if result.problems else 0)


@main.command("run")
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "--record",
    type=click.Choice(["none", "once", "new_episodes", "all"]),
    default=None,
    help="vcrpy record mode (default: once with --live or --emulator, which records the "
    "interactions a cassette lacks; none otherwise, offline from the cassettes).",
)
@click.option("--live", default=None, metavar="URL", help="Send requests to this base URL.")
@click.option("--emulator", is_flag=True, help="Send requests to a fresh local emulator.")
@click.option(
    "--cassettes",
    type=click.Path(file_okay=False),
    default=None,
    help="Cassette folder (default: cassettes/ in the project root: the configuration file's "
    "folder, else the git root, else here).",
)
@click.option("--keep", is_flag=True, help="Do not delete what a live run created.")
@click.option("--allow-destructive", is_flag=True, help="Send DELETE to non-local hosts.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="How findings are printed: text for people, json for tools (the findings contract).",
)
@click.option(
    "--report-dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Write junit.xml, results.json and report.html (self-contained) here.",
)
@click.option(
    "--history",
    type=click.Path(file_okay=False),
    default=None,
    help="Folder of earlier results.json files: the HTML report shows the trend, and this "
    "run's results are added to it.",
)
@click.option(
    "-n",
    "--workers",
    default=None,
    metavar="N|auto",
    help="Replay tutorials in N worker processes, each with its share of them; auto: one "
    "worker per available core (serial for a tutorial or two).",
)
@click.option(
    "--progress/--no-progress",
    default=True,
    show_default=True,
    help="A progress bar on a terminal, one line per tutorial otherwise (on stderr).",
)
@click.option(
    "--shard",
    default=None,
    metavar="K/N",
    help="Replay only the K-th of N shards (1-based; a stable split by tutorial path), for a "
    "CI matrix; combine the shards' --report-dir with `doctract report merge`.",
)
@_allow_empty
@_api_options
def run_command(
    paths: tuple[str, ...],
    record: str | None,
    live: str | None,
    emulator: bool,
    cassettes: str | None,
    keep: bool,
    allow_destructive: bool,
    output_format: str,
    report_dir: str | None,
    history: str | None,
    workers: str | None,
    progress: bool,
    shard: str | None,
    allow_empty: bool,
    openapi: tuple[str, ...],
    profile: str | None,
) -> None:
    """Replay tutorials (docs or generated features) against cassettes or a live API.

    Exit status: 0 no error finding (every request sent, or not sent with the finding that
    says why), 1 error findings, 2 could not run (usage error, a PATH that does not exist, no
    documents or features found without --allow-empty, an internal-error finding: a feature
    that did not run or a failure doctract did not classify), 130 interrupted (Ctrl-C).
    """
    from doctract.replay.generate import findings_of
    from doctract.replay.session import ReplayOptions
    from doctract.report.results import run_line

    if live and emulator:
        raise click.UsageError("use --live URL or --emulator, not both")
    if record is None:  # against an API, record what the cassettes lack; offline otherwise
        record = "once" if live or emulator else "none"
        if record == "once":
            click.echo("doctract run: recording missing interactions (--record once)", err=True)
    if workers is not None and workers != "auto" and not workers.isdigit():
        raise click.UsageError(f"--workers must be a number or auto, not {workers!r}")
    part = _shard(shard)
    config = _with_api(_config(None, None, None), openapi, profile)
    _no_such_paths(paths)
    if emulator:
        from doctract.lint import api_of

        if api_of(config).emulator() is None:
            raise click.UsageError(
                "--emulator needs an OpenAPI contract (--openapi SPEC or openapi in the "
                "configuration) or a profile with an emulator; or record against your API "
                "with --live URL --record all"
            )
    options = ReplayOptions(
        openapi=tuple(str(Path(p).resolve()) for p in openapi),
        profile=profile,
        record=record,
        live=live,
        emulator=emulator,
        cassettes=Path(cassettes) if cassettes else _project_root(config) / "cassettes",
        root=_project_root(config),
        keep=keep,
        allow_destructive=allow_destructive,
    )
    scrubber = _scrubber(config, _placeholders_in(paths, config))
    _scrub_output(scrubber)
    problems, results = _replay(
        list(paths), options, workers, progress, allow_empty, part, scrubber
    )
    findings = problems + findings_of(results)
    result = LintResult(tuple(sorted(findings, key=lambda f: f.sort_key)), len(results))
    render(result, output_format, sys.stdout, scrubber)
    if report_dir or history:
        _write_reports(
            results, _mode(options), report_dir, history, problems, part, scrubber=scrubber
        )
    # the line, results.json and the exit status all come from the same findings
    shard_note = f" (shard {part})" if part else ""
    click.echo(f"doctract run{shard_note}: {run_line(results, problems)}", err=True)
    internal = any(f.rule == INTERNAL_ERROR for f in findings)
    sys.exit(2 if internal else 1 if result.failed(Severity.ERROR) else 0)


def _shard(given: str | None) -> Shard | None:
    from doctract.replay.shards import Shard, ShardError

    try:
        return Shard.parse(given) if given is not None else None
    except ShardError as exc:
        raise click.UsageError(str(exc)) from None


def _replay(
    paths: list[str],
    options: ReplayOptions,
    workers: str | None,
    progress: bool,
    allow_empty: bool = False,
    shard: Shard | None = None,
    scrubber: Scrubber = NO_SECRETS,
) -> tuple[list[Finding], list[dict[str, Any]]]:
    """Generate features for docs (in a temporary folder), run them; (problems, results). A
    feature that produced no result is a problem: an internal-error naming why it did not run
    (its message scrubbed). With `shard`, only the tutorials it owns."""
    import tempfile

    from doctract.project import root_relative
    from doctract.replay.generate import feature_files, run_features, unparsable
    from doctract.replay.generate import generate as write_features
    from doctract.replay.progress import ProgressDisplay, RunProgress, Unrecorded
    from doctract.replay.workers import replay as replay_in_workers

    with tempfile.TemporaryDirectory(prefix="doctract-features-") as tmp:
        features = feature_files(paths)
        problems: list[Finding] = []
        docs = [
            p
            for p in paths
            if not p.endswith(".feature")
            and not (Path(p).is_dir() and any(Path(p).rglob("*.feature")))
        ]
        if docs:
            generated = write_features(docs, Path(tmp), root=options.root)
            features += generated.written
            problems = generated.problems
        if shard is not None:
            root = options.root or Path.cwd()
            features = [f for f in features if shard.owns(_feature_doc(f) or f.as_posix())]
            problems = [p for p in problems if shard.owns(root_relative(p.path, root))]
        if not features and shard is not None:
            return problems, []  # a shard may own none of a few tutorials
        if not features:
            if allow_empty:
                return problems, []
            raise OneLineError(
                f"no documents found in {', '.join(paths)} (no tutorial or .feature file; "
                "--allow-empty to accept that)"
            )
        args = ["-p", "no:terminal"]
        unrecorded = Unrecorded()
        display = ProgressDisplay() if progress else None
        count = _worker_count(workers, len(features))
        if count > 1:
            results = replay_in_workers(features, options, args, count, display, unrecorded)
        else:
            plugins = [unrecorded, *([RunProgress(display)] if display else [])]
            _, results = run_features(features, options, args, plugins)
        ran = {r["path"] for r in results}
        for feature in features:
            doc = _feature_doc(feature)
            if doc in ran:
                continue
            # one pytest-bdd cannot parse was left out of the run (generate.collectable)
            reason = unparsable(feature)
            if reason is not None:
                why = f"it cannot be parsed: {reason}"
                problems.append(_did_not_run(feature, doc or feature.as_posix(), why, scrubber))
            elif doc is not None:
                problems.append(
                    _did_not_run(feature, doc, unrecorded.reason_for(feature), scrubber)
                )
    return problems, results


def _did_not_run(feature: Path, doc: str, why: str, scrubber: Scrubber) -> Finding:
    """The internal-error of a feature that produced no result, at its tutorial."""
    return file_error(
        INTERNAL_ERROR,
        doc,
        scrubber.text(f"the feature {feature.name} did not run: {why}"),
        "regenerate it with doctract generate; if it still fails, please report it",
    )


# `--workers auto` gives each worker at least this many tutorials. Workers are forked, so they
# start at once with what this process loaded; measured with `doctract run` offline on the
# benchmark corpus, quiet 2-core machine, best of 3, serial against `--workers 2`: 2 tutorials
# 1.08 s / 1.06 s, 4: 1.11 / 1.06, 10: 1.28 / 1.14, 30: 1.72 / 1.38, 100: 3.42 / 2.32.
AUTO_MIN_TUTORIALS_PER_WORKER = 2


def _worker_count(workers: str | None, tutorials: int) -> int:
    """How many worker processes replay the tutorials, 1 for this process alone: `auto` is
    one per available core, as many as have two tutorials each; never more than the
    tutorials, and one where the platform cannot fork them."""
    from doctract.pool import available_cores, can_fork

    if workers is None or not can_fork():
        return 1
    if workers == "auto":
        return max(1, min(available_cores(), tutorials // AUTO_MIN_TUTORIALS_PER_WORKER))
    return max(1, min(int(workers), tutorials))


def _feature_doc(feature: Path) -> str | None:
    """The tutorial a feature replays; a doctract feature that lost its `Given the tutorial`
    line is named by its own path (it cannot run as a tutorial); None for other features."""
    from doctract.replay.generate import MARKER

    text = feature.read_text(encoding="utf-8")
    for line in text.splitlines():
        line = line.strip()
        if line.startswith('Given the tutorial "'):
            return line.removeprefix('Given the tutorial "').rstrip('"')
    return feature.as_posix() if text.startswith(MARKER) else None


def _mode(options: ReplayOptions) -> str:
    if options.emulator:
        return f"emulator, record {options.record}"
    if options.live:
        from urllib.parse import urlsplit

        parts = urlsplit(options.live)  # never a user:password@ in a report
        return f"live {parts.scheme}://{parts.hostname}{parts.path}, record {options.record}"
    return "offline (cassettes)"


def _write_reports(
    tutorials: list[dict[str, Any]],
    mode: str,
    report_dir: str | None,
    history: str | None,
    problems: Sequence[Finding] = (),
    shard: Shard | None = None,
    started: str | None = None,
    scrubber: Scrubber = NO_SECRETS,
) -> None:
    """results.json, junit.xml, report.html and the history entry, each scrubbed (the replay
    scrubbed what it recorded; this is the last line of defence)."""
    from datetime import datetime

    from doctract.report.html import html_report
    from doctract.report.junit import junit_xml
    from doctract.report.results import (
        HistoryPoint,
        history_name,
        load_history,
        run_results,
        write_json,
    )

    when = datetime.fromisoformat(started) if started else None
    results = run_results(tutorials, mode, when, problems=[p.to_dict() for p in problems])
    if shard is not None:
        results["shard"] = shard.to_dict()
    earlier: list[HistoryPoint] = []
    if history:
        earlier, skipped = load_history(Path(history))
        for line in skipped:
            click.echo(f"doctract run: --history: {line}", err=True)
    try:
        if report_dir:
            folder = Path(report_dir)
            write_json(folder / "results.json", results, scrubber)
            (folder / "junit.xml").write_bytes(junit_xml(tutorials, scrubber=scrubber))
            (folder / "report.html").write_text(
                html_report(results, earlier, scrubber=scrubber), encoding="utf-8"
            )
            click.echo(
                f"doctract run: reports in {folder}/ (report.html, junit.xml, results.json)",
                err=True,
            )
        if history:
            write_json(Path(history) / history_name(results), results, scrubber)
    except OSError as exc:
        raise click.UsageError(f"cannot write the reports: {exc}") from None


@main.group("report")
def report_group() -> None:
    """Work with the reports of `doctract run`."""


@report_group.command("merge")
@click.argument("results", nargs=-1, required=True, type=click.Path(exists=True))
@click.option(
    "--report-dir",
    type=click.Path(file_okay=False),
    required=True,
    help="Write the merged junit.xml, results.json and report.html here.",
)
@click.option(
    "--history",
    type=click.Path(file_okay=False),
    default=None,
    help="Folder of earlier results.json files: the trend, and the merged results added to it.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="How the merged findings are printed.",
)
def report_merge(
    results: tuple[str, ...], report_dir: str, history: str | None, output_format: str
) -> None:
    """Combine the reports of a run's shards (`doctract run --shard K/N --report-dir DIR`):
    each RESULTS is a report folder or its results.json. Every shard of the split must be
    given, once. The findings are printed as `doctract run` prints them.

    Exit status: 0 every tutorial behaves as documented, 1 divergences, 2 could not merge
    (a shard missing or given twice, a file that is not a run's results).
    """
    from doctract.replay.generate import findings_of
    from doctract.replay.shards import ShardError, merge, read_results

    try:
        merged = merge([read_results(Path(given)) for given in results])
    except ShardError as exc:
        raise OneLineError(str(exc)) from None
    problems = findings_of([{"findings": merged.problems}])
    findings = problems + findings_of(merged.tutorials)
    result = LintResult(tuple(sorted(findings, key=lambda f: f.sort_key)), len(merged.tutorials))
    # the shards scrubbed what they wrote; this machine's secrets are scrubbed too
    scrubber = _scrubber(_config(None, None, None))
    render(result, output_format, sys.stdout, scrubber)
    _write_reports(
        merged.tutorials,
        merged.mode,
        report_dir,
        history,
        problems,
        None,
        merged.started,
        scrubber,
    )
    from doctract.report.results import run_line

    click.echo(
        f"doctract report merge: {len(results)} reports, {run_line(merged.tutorials, problems)}",
        err=True,
    )
    sys.exit(1 if result.failed(Severity.ERROR) else 0)


@main.command("diff")
@click.argument("old", type=click.Path(exists=True, file_okay=False))
@click.argument("new", type=click.Path(exists=True, file_okay=False))
@click.option(
    "--docs",
    "doc_roots",
    multiple=True,
    type=click.Path(file_okay=False),
    help="Folder the cassette names are relative to, to report at the doc's lines "
    "(default: the project root: the configuration file's folder, else the git root, else "
    "here; repeatable).",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(sorted(FORMATS)),
    default="text",
    show_default=True,
)
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "info"]),
    default="warning",
    show_default=True,
    help="Exit 1 when a change is at or above this severity.",
)
def diff_command(
    old: str, new: str, doc_roots: tuple[str, ...], output_format: str, fail_on: str
) -> None:
    """Compare two cassette folders (before and after an API change): which documented
    interactions changed status or shape, per tutorial, as findings.

    Re-record first, e.g. `doctract run docs --live URL --record all --cassettes NEW`.

    Exit status: 0 no change at or above --fail-on, 1 some, 2 could not run (usage error, a
    folder that does not exist), 130 interrupted (Ctrl-C).
    """
    from doctract.replay.cassette_diff import diff_folders

    # by default the project root, as a path from here: findings name docs as lint does
    roots = [Path(r) for r in doc_roots] or [
        Path(os.path.relpath(_project_root(_config(None, None, None))))
    ]
    findings = diff_folders(Path(old), Path(new), roots)
    files = len(
        {p.name for p in Path(old).glob("*.yaml")} | {p.name for p in Path(new).glob("*.yaml")}
    )
    result = LintResult(tuple(findings), files)
    render(result, output_format, sys.stdout, _scrubber(_config(None, None, None)))
    sys.exit(1 if result.failed(Severity.parse(fail_on)) else 0)


@main.command()
@click.option(
    "--openapi",
    "openapi",
    default=None,
    metavar="SPEC",
    type=click.Path(dir_okay=False),
    help="Serve this OpenAPI document (JSON or YAML) statefully, whatever the API. "
    "Default: the Flow Service emulator.",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    default=8080,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on (0 picks a free one).",
)
@click.option(
    "--deterministic",
    is_flag=True,
    help="Ids, etags and timestamps from counters, for reproducible cassettes.",
)
@click.option(
    "--seed-specs/--no-seed-specs",
    default=True,
    show_default=True,
    help="Pre-load the connection specs and flow specs the tutorials use (Flow Service).",
)
@click.option(
    "--log-level",
    type=click.Choice(["debug", "info", "warning", "error"]),
    default="info",
    show_default=True,
)
@click.option(
    "--faults",
    default=None,
    metavar="SPEC",
    help="Inject faults, e.g. 'latency=0.1,drop=0.05,429=0.05,5xx=0.05,burst=3,seed=7' "
    "before the emulator acts, 'drop-after=0.05,5xx-after=0.05' after it did "
    "(probabilities; counts at GET /__doctract/faults).",
)
def emulator(
    openapi: str | None,
    host: str,
    port: int,
    deterministic: bool,
    seed_specs: bool,
    log_level: str,
    faults: str | None,
) -> None:
    """Serve a local, in-memory emulator of an API that honours its OpenAPI contract.

    With --openapi SPEC, any API: collections, items and settings are inferred from the
    contract's paths and schemas (creates, reads, lists with paging, updates with JSON Patch
    or merge patch, etags where declared, deletes); the log says at start which operations
    only answer their documented example. Without it, the Flow Service emulator (drafts,
    publish order, connection and flow spec schemas).

    Point `--live http://HOST:PORT` at it. The contract is at /openapi.json. The log names
    method, path and status only: no credentials, bodies or query strings.

    Exit status: 0 stopped, 2 could not start (usage error, an unusable OpenAPI document, the
    address is in use), 130 interrupted (Ctrl-C).
    """
    from doctract.contract import ContractError
    from doctract.emulator.faults import FaultPlan, FaultSpecError
    from doctract.emulator.server import serve, serve_contract

    try:
        plan = FaultPlan.parse(faults) if faults else None
    except FaultSpecError as exc:
        raise click.UsageError(f"--faults: {exc}") from None
    try:
        if openapi is not None:
            from doctract.emulator.engine import load_contract

            try:
                contract = load_contract(openapi)
            except ContractError as exc:
                raise OneLineError(str(exc)) from None
            serve_contract(
                contract,
                host=host,
                port=port,
                deterministic=deterministic,
                log_level=log_level,
                faults=plan,
            )
        else:
            serve(
                host=host,
                port=port,
                deterministic=deterministic,
                seed_specs=seed_specs,
                log_level=log_level,
                faults=plan,
            )
    except SystemExit as exc:  # uvicorn exits 1 or 3 when it cannot start
        if exc.code not in (0, None):
            raise OneLineError(f"the emulator could not start on {host}:{port}") from None
        raise


@main.command("init")
@click.argument("path", default=".")
@click.option("--force", is_flag=True, help="Overwrite an existing .doctract.toml.")
def init_command(path: str, force: bool) -> None:
    """Write a commented starter .doctract.toml in the current folder, with the OpenAPI
    document, the API host and the auth headers detected from the docs under PATH (default:
    the current folder).

    Exit status: 0 written, 2 could not run (.doctract.toml exists without --force, PATH does
    not exist, the file cannot be written), 130 interrupted (Ctrl-C).
    """
    from doctract.init import CONFIG_FILE, detect, starter, summary
    from doctract.profile import available

    target = Path(CONFIG_FILE)
    if target.exists() and not force:
        raise OneLineError(f"{CONFIG_FILE} exists already (--force to overwrite it)")
    if not os.path.exists(path):
        raise OneLineError(f"no such file or folder: {path}")
    found = detect([path], Path.cwd())
    try:
        target.write_text(starter(found, sorted(available())), encoding="utf-8")
    except OSError as exc:
        raise OneLineError(f"cannot write {CONFIG_FILE}: {exc.strerror or exc}") from None
    for line in summary(found, target):
        click.echo(line)


def run() -> None:
    """Console entry point: usage errors exit 2 (click), and so does any internal error, as one
    line instead of a traceback (`--debug` or DOCTRACT_DEBUG=1 prints the traceback). Secret
    values from the environment and the configuration never appear in either."""
    scrubber = _configured_scrubber()
    # the last line of defence for output: whatever is printed passes the scrubber
    streams = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = (scrubbing(stream, scrubber) for stream in streams)
    try:
        main(standalone_mode=True)
    except SystemExit:
        raise
    except DoctractError as exc:
        click.echo(f"doctract: {exc}", err=True)
        sys.exit(2)
    except Exception as exc:
        if isinstance(sys.stderr, ScrubbingStream):  # a command may have learnt more
            scrubber = sys.stderr.scrubber
        if os.environ.get("DOCTRACT_DEBUG"):
            import traceback

            click.echo(scrubber.text("".join(traceback.format_exc())).rstrip(), err=True)
        message = scrubber.text(f"{type(exc).__name__}: {exc}")
        click.echo(f"doctract: internal error: {message}", err=True)
        sys.exit(2)
    finally:
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
        sys.stdout, sys.stderr = streams


def _configured_scrubber() -> Scrubber:
    """The configuration's and the environment's secret values (see doctract.secrets)."""
    try:
        config = load_config()
    except Exception:
        config = Config()
    return for_config(config)


def _scrub_output(scrubber: Scrubber) -> None:
    """From now on, what the console script prints passes `scrubber` (it knows more than the
    one `run` started with: the values of the placeholders the docs use, the contract's
    secret names)."""
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if isinstance(stream, ScrubbingStream):
            setattr(sys, name, scrubbing(stream, scrubber))


def _scrubber(config: Config, names: Iterable[str] = ()) -> Scrubber:
    """What output and reports must not show: the configuration's and the environment's secret
    values (also those of the placeholders `names`), and what the contract names secret."""
    from doctract.lint import api_of

    try:
        secret_names = api_of(config).contracts.secrets
    except DoctractError:
        secret_names = None
    return for_config(config, names, secret_names)


def _placeholders_in(paths: Sequence[str], config: Config) -> set[str]:
    """The placeholders the docs and features under `paths` use (their values are secret
    unless public, wherever in the environment they come from)."""
    from doctract.replay.generate import feature_files
    from doctract.urls import placeholder_names

    names: set[str] = set()
    for path in [*map(str, feature_files(paths)), *discover(paths, config)[0]]:
        try:
            text = Path(path).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        names.update(placeholder_names(text))
    return names


if __name__ == "__main__":  # pragma: no cover
    run()
