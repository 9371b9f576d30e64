"""The configuration file, merged under command-line options.

Three kinds of file hold it, searched from the start folder upwards; the first folder that has
one wins, and within a folder the first of: `.doctract.toml`, `doctract.toml` (both with the
keys at the top level) and `pyproject.toml` with a `[tool.doctract]` table. A pyproject.toml
without that table does not stop the search; when no folder up has a configuration, the nearest
pyproject.toml still marks the project root (an empty configuration read from it).
"""

from __future__ import annotations

import difflib
import fnmatch
import math
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from doctract.contract import ContractSource
from doctract.errors import DoctractError
from doctract.findings import Severity

DEFAULT_EXTENSIONS = (".md", ".markdown", ".mdx", ".txt")


class ConfigError(DoctractError, ValueError):
    """A configuration value doctract cannot use; reported as one line, exit status 2."""


@dataclass(frozen=True)
class Config:
    select: frozenset[str] = frozenset()
    ignore: frozenset[str] = frozenset()
    fail_on: Severity = Severity.ERROR
    output_format: str = "text"
    required_headers: tuple[str, ...] | None = None  # None: from the contract
    openapi: tuple[ContractSource, ...] = ()  # paths relative to the config file's folder
    profile: str | None = None
    host: str | None = None
    exclude: tuple[str, ...] = ()
    extensions: tuple[str, ...] = DEFAULT_EXTENSIONS
    placeholders: dict[str, str] = field(default_factory=dict)
    # placeholders whose values are not secret (see doctract.secrets); others are scrubbed
    public_placeholders: frozenset[str] = frozenset()
    max_file_size: int = 10 * 1024 * 1024  # bytes; larger files are a read-error finding
    time_budget: float = 30.0  # seconds per file; 0 turns it off
    source: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def with_options(self, **changes: Any) -> Config:
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    @property
    def root(self) -> Path | None:
        """The folder relative paths in the configuration are read from."""
        return Path(self.source).parent if self.source else None


CONFIG_NAMES = (".doctract.toml", "doctract.toml", "pyproject.toml")
KNOWN_KEYS = frozenset(
    {
        "placeholders",
        "public-placeholders",
        "select",
        "ignore",
        "fail-on",
        "format",
        "required-headers",
        "host",
        "exclude",
        "extensions",
        "max-file-size",
        "time-budget",
        "openapi",
        "profile",
    }
)


def find_config(start: Path) -> Path | None:
    """The configuration file for `start`: see the module's docstring."""
    nearest_pyproject: Path | None = None
    for folder in [start, *start.parents]:
        for name in CONFIG_NAMES:
            candidate = folder / name
            if not candidate.is_file():
                continue
            if name != "pyproject.toml":
                return candidate
            if _doctract_table(_read_toml(candidate), candidate) is not None:
                return candidate
            nearest_pyproject = nearest_pyproject or candidate
    return nearest_pyproject


def load_config(start: Path | None = None) -> Config:
    """The configuration found from `start` (default: the current folder) upwards."""
    path = find_config((start or Path.cwd()).resolve())
    if path is None:
        return Config()
    return load_config_file(path)


def load_config_file(path: Path) -> Config:
    """The configuration in `path`: a pyproject.toml's `[tool.doctract]` table, or the top-level
    keys of any other file (`.doctract.toml`, `doctract.toml`). Rule ids in `select` and
    `ignore` are checked against every installed rule."""
    if not path.is_file():
        raise ConfigError(f"{path}: no such configuration file")
    data = _read_toml(path)
    if path.name == "pyproject.toml":
        table = _doctract_table(data, path)
        if table is None:
            table = {}
    else:
        table = data
    config = from_table(table, str(path))
    check_rule_ids(config.select, f"{path}: {_prefix(str(path))}select")
    check_rule_ids(config.ignore, f"{path}: {_prefix(str(path))}ignore")
    return config


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read configuration: {exc}") from None


def _doctract_table(data: dict[str, Any], path: Path) -> dict[str, Any] | None:
    tool = data.get("tool", {})
    table = tool.get("doctract") if isinstance(tool, dict) else None
    if table is not None and not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.doctract] must be a table")
    return table


def _prefix(source: str) -> str:
    """How messages name the keys' table: `[tool.doctract] ` in a pyproject.toml, else none."""
    return "[tool.doctract] " if Path(source).name == "pyproject.toml" else ""


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """` (did you mean X?)` when a choice is close to `word`, else an empty string."""
    close = difflib.get_close_matches(word, sorted(choices), 1, 0.6)
    return f" (did you mean {close[0]}?)" if close else ""


def is_glob(pattern: str) -> bool:
    return any(c in pattern for c in "*?[")


def check_rule_ids(patterns: Iterable[str], where: str) -> None:
    """Every id is a rule's (profiles' rules included) and every glob matches one; else a
    one-line ConfigError starting with `where` (e.g. `--select` or `FILE: select`)."""
    patterns = sorted(patterns)
    if not patterns:
        return
    from doctract.checks import RULES
    from doctract.profile import load_all

    load_all()
    unknown = [p for p in patterns if not is_glob(p) and p not in RULES]
    if unknown:
        named = ", ".join(f"{p}{did_you_mean(p, RULES)}" for p in unknown)
        raise ConfigError(f"{where}: unknown rule id(s): {named} (see `doctract rules`)")
    empty = [p for p in patterns if is_glob(p) and not any(fnmatch.fnmatch(r, p) for r in RULES)]
    if empty:
        raise ConfigError(
            f"{where}: glob(s) matching no rule: {', '.join(empty)} (see `doctract rules`)"
        )


def from_table(table: dict[str, Any], source: str) -> Config:
    where = _prefix(source)
    unknown = sorted(set(table) - KNOWN_KEYS)
    if unknown:
        named = ", ".join(f"{k}{did_you_mean(k, KNOWN_KEYS)}" for k in unknown)
        raise ConfigError(f"{source}: unknown {where}key(s): {named}")

    def strings(key: str) -> tuple[str, ...]:
        value = table.get(key, [])
        if isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{source}: {where}{key} must be a list of strings")
        return tuple(value)

    try:
        fail_on = Severity.parse(str(table.get("fail-on", "error")))
    except ValueError as exc:
        raise ConfigError(f"{source}: fail-on: {exc}") from None
    host = table.get("host")
    placeholders = table.get("placeholders", {})
    if not isinstance(placeholders, dict) or not all(
        isinstance(v, str) for v in placeholders.values()
    ):
        raise ConfigError(f"{source}: {where}placeholders must map names to strings")
    profile = table.get("profile")
    if profile is not None and not isinstance(profile, str):
        raise ConfigError(f"{source}: {where}profile must be a profile name")
    max_mb = table.get("max-file-size", 10)
    budget = table.get("time-budget", 30)
    if (
        not isinstance(max_mb, int | float)
        or isinstance(max_mb, bool)
        or not math.isfinite(max_mb)
        or max_mb <= 0
    ):
        raise ConfigError(f"{source}: {where}max-file-size must be a number of MB > 0")
    if (
        not isinstance(budget, int | float)
        or isinstance(budget, bool)
        or not math.isfinite(budget)
        or budget < 0
    ):
        raise ConfigError(f"{source}: {where}time-budget must be seconds >= 0")
    return Config(
        max_file_size=int(max_mb * 1024 * 1024),
        time_budget=float(budget),
        select=frozenset(strings("select")),
        ignore=frozenset(strings("ignore")),
        fail_on=fail_on,
        output_format=str(table.get("format", "text")),
        required_headers=strings("required-headers") if "required-headers" in table else None,
        openapi=contract_sources(table.get("openapi"), source),
        profile=profile,
        host=str(host).lower() if host else None,
        exclude=strings("exclude"),
        extensions=strings("extensions") or DEFAULT_EXTENSIONS,
        placeholders={str(k): str(v) for k, v in placeholders.items()},
        public_placeholders=frozenset(strings("public-placeholders")),
        source=source,
    )


def contract_sources(value: Any, source: str) -> tuple[ContractSource, ...]:
    """`openapi = "api.yaml"`, a list of paths, or a list of tables
    `{path = "a.yaml", prefixes = ["https://api.example.com/v1", "/v1"]}`."""
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    found = []
    for item in items:
        if isinstance(item, str) and item:
            found.append(ContractSource(item))
        elif isinstance(item, dict) and isinstance(item.get("path"), str):
            prefixes = item.get("prefixes", [])
            if not isinstance(prefixes, list) or not all(isinstance(p, str) for p in prefixes):
                raise ConfigError(f"{source}: openapi prefixes must be a list of strings")
            extra = sorted(set(item) - {"path", "prefixes"})
            if extra:
                raise ConfigError(f"{source}: unknown openapi key(s): {', '.join(extra)}")
            found.append(ContractSource(item["path"], tuple(prefixes)))
        else:
            raise ConfigError(
                f"{source}: {_prefix(source)}openapi must be a path, a list of paths, or a "
                "list of {path, prefixes} tables"
            )
    return tuple(found)
