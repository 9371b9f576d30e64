"""Profiles: what one API needs beyond its OpenAPI contract.

A profile bundles the API's contract(s), its extra rules, how its prose names collections, the
body fields that carry ids, the lookups that publish ids, the keys whose values change from run
to run, and the cross-document facts its rules compare against. Generic stages talk to this
interface only; profiles are found through the `doctract.profiles` entry point group (the
Flow Service profile ships with doctract there, third parties add theirs the same way), and a
configuration key selects one. Without a profile, `GENERIC` applies: no API-specific knowledge.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import import_module
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any, Protocol

from doctract.errors import DoctractError

if TYPE_CHECKING:
    from doctract.contract import ContractSource
    from doctract.model import Tutorial

ENTRY_POINT_GROUP = "doctract.profiles"


class ProfileError(DoctractError):
    """A profile that cannot be found or loaded; one line naming it."""


class Facts(Protocol):
    """Cross-document facts a profile's rules compare against, gathered tutorial by tutorial.

    The lint gathers one document's facts where it reads the document (maybe in another
    process: they must pickle) and merges them in document order, so `merge` must give what
    `add` would have given for the documents in that order."""

    def add(self, tutorial: Tutorial) -> None: ...

    def merge(self, other: Facts) -> None: ...

    def published_ids(self) -> set[str]:
        """Ids whose definition (a schema) one of the documents publishes."""
        ...


class NoFacts:
    def add(self, tutorial: Tutorial) -> None:
        return None

    def merge(self, other: Facts) -> None:
        return None

    def published_ids(self) -> set[str]:
        return set()


@dataclass(frozen=True)
class Profile:
    name: str = "generic"
    summary: str = "No API-specific knowledge: everything comes from the OpenAPI contract."
    contracts: tuple[ContractSource, ...] = ()  # the API's bundled contract(s)
    rule_modules: tuple[str, ...] = ()  # modules whose import registers the profile's rules
    collection_phrases: tuple[tuple[re.Pattern[str], str], ...] = ()  # prose -> collection
    id_fields: Mapping[str, str] = field(default_factory=dict)  # body field -> collection
    lookup_collections: frozenset[str] = frozenset()  # GETs that publish ids (spec lookups)
    volatile_keys: re.Pattern[str] | None = None  # response keys that change run to run
    credential_examples: Mapping[str, str] = field(default_factory=dict)  # header -> example
    new_facts: Callable[[], Facts] = NoFacts
    emulator: str | None = None  # "module:function" serving the API locally
    # "module:function" making the profile's rules for the generic emulator (called with
    # `deterministic`, returns doctract.emulator.Hooks): without `emulator`, `--emulator`
    # serves the API's contract with them
    emulator_rules: str | None = None

    def load_rules(self) -> None:
        for module in self.rule_modules:
            import_module(module)

    def collection_in_text(self, text: str) -> str | None:
        """The collection a heading talks about ("Publish your draft source connection"):
        the longest phrase wins ("source connection" beats "connection")."""
        return _collection_in_text(self.collection_phrases, text)


@lru_cache(maxsize=1024)  # headings repeat across a doc set
def _collection_in_text(phrases: tuple[tuple[re.Pattern[str], str], ...], text: str) -> str | None:
    found, best = None, -1
    for pattern, collection in phrases:
        for m in pattern.finditer(text):
            if len(m.group()) > best:
                best, found = len(m.group()), collection
    return found


GENERIC = Profile()


def available() -> dict[str, Callable[[], Any]]:
    """Installed profiles by name (the entry points, loaded lazily)."""
    found: dict[str, Callable[[], Any]] = {}
    for point in entry_points(group=ENTRY_POINT_GROUP):
        found.setdefault(point.name, point.load)
    return found


_LOADED: dict[str, Profile] = {}


def load_profile(name: str | None) -> Profile:
    """The profile called `name` (None or "generic": GENERIC), its rules registered."""
    if not name or name == GENERIC.name:
        return GENERIC
    if name in _LOADED:
        return _LOADED[name]
    points = available()
    if name not in points:
        import difflib

        close = difflib.get_close_matches(name, list(points), 1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        names = ", ".join(sorted(points)) or "none installed"
        raise ProfileError(f"unknown profile {name!r}{hint}; available: {names}")
    try:
        profile = points[name]()
    except Exception as exc:
        raise ProfileError(
            f"profile {name!r} cannot be loaded: {type(exc).__name__}: {exc}"
        ) from None
    if not isinstance(profile, Profile):
        raise ProfileError(f"profile {name!r} is not a doctract.profile.Profile")
    profile.load_rules()
    _LOADED[name] = profile
    return profile


def load_all() -> list[Profile]:
    """Every installed profile, so listings (`doctract rules`, SARIF) know all rules."""
    return [load_profile(name) for name in sorted(available())]
