"""`[tool.doctract]` in pyproject.toml, merged under command-line options."""

from __future__ import annotations

import tomllib
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


def find_pyproject(start: Path) -> Path | None:
    for folder in [start, *start.parents]:
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def load_config(start: Path | None = None) -> Config:
    path = find_pyproject((start or Path.cwd()).resolve())
    if path is None:
        return Config()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read configuration: {exc}") from None
    table = data.get("tool", {}).get("doctract", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.doctract] must be a table")
    return from_table(table, str(path))


def from_table(table: dict[str, Any], source: str) -> Config:
    known = {
        "placeholders",
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
    unknown = sorted(set(table) - known)
    if unknown:
        raise ConfigError(f"{source}: unknown [tool.doctract] key(s): {', '.join(unknown)}")

    def strings(key: str) -> tuple[str, ...]:
        value = table.get(key, [])
        if isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{source}: [tool.doctract] {key} must be a list of strings")
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
        raise ConfigError(f"{source}: [tool.doctract.placeholders] must map names to strings")
    profile = table.get("profile")
    if profile is not None and not isinstance(profile, str):
        raise ConfigError(f"{source}: [tool.doctract] profile must be a profile name")
    max_mb = table.get("max-file-size", 10)
    budget = table.get("time-budget", 30)
    if not isinstance(max_mb, int | float) or isinstance(max_mb, bool) or max_mb <= 0:
        raise ConfigError(f"{source}: [tool.doctract] max-file-size must be a number of MB > 0")
    if not isinstance(budget, int | float) or isinstance(budget, bool) or budget < 0:
        raise ConfigError(f"{source}: [tool.doctract] time-budget must be seconds >= 0")
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
                f"{source}: [tool.doctract] openapi must be a path, a list of paths, or a "
                "list of {path, prefixes} tables"
            )
    return tuple(found)
