"""The API a doc set documents: its profile, its contract(s) and the vocabulary learned from
both. Built once per run from the configuration (this is where contracts are read)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from functools import partial
from importlib import import_module
from pathlib import Path

from doctract.contract import Contract, ContractSet, ContractSource
from doctract.profile import GENERIC, Profile, load_profile
from doctract.vocabulary import Vocabulary


@dataclass(frozen=True)
class Api:
    profile: Profile = GENERIC
    contracts: ContractSet = field(default_factory=lambda: ContractSet(()))
    vocabulary: Vocabulary = field(default_factory=Vocabulary)

    @classmethod
    def build(
        cls, profile_name: str | None, sources: tuple[ContractSource, ...], root: Path | None
    ) -> Api:
        """The profile by name, and the contracts given (else the profile's bundled ones)."""
        profile = load_profile(profile_name)
        if sources:
            contracts = ContractSet(_load(s, root) for s in sources)
        else:
            contracts = ContractSet(_load(s, None) for s in profile.contracts)
        return cls(profile, contracts, vocabulary(profile, contracts))

    def emulator(self) -> Callable[..., AbstractContextManager[str]] | None:
        """What `--emulator` starts (called with `deterministic=`, yields its base URL): the
        profile's own emulator, else the generic stateful emulator serving the API's contract
        (the first one, when several are configured) with the profile's emulator rules where
        it names them; None without either."""
        if self.profile.emulator:
            module, _, name = self.profile.emulator.partition(":")
            factory: Callable[..., AbstractContextManager[str]] = getattr(
                import_module(module), name
            )
            return factory
        if not self.contracts.contracts:
            return None
        from doctract.emulator.server import running_generic_emulator

        if self.profile.emulator_rules:
            module, _, name = self.profile.emulator_rules.partition(":")
            hooks = getattr(import_module(module), name)
            return partial(running_generic_emulator, self.contracts.contracts[0], hooks=hooks)
        return partial(running_generic_emulator, self.contracts.contracts[0])


def vocabulary(profile: Profile, contracts: ContractSet) -> Vocabulary:
    params: dict[str, str] = {}
    names: set[str] = set()
    for contract in contracts.contracts:
        names |= contract.collection_names
        for param, collection in contract.collections.items():
            params.setdefault(param, collection)
    collections = frozenset(names) | frozenset(profile.id_fields.values())
    return Vocabulary(
        collections=collections | profile.lookup_collections if collections else frozenset(),
        param_collections=params,
        id_fields=dict(profile.id_fields),
        lookups=profile.lookup_collections,
    )


_CACHE: dict[tuple[str, float, tuple[str, ...]], Contract] = {}


def clear_caches() -> None:
    """Forget every contract read (and the schema verdicts kept on it), and the URL and id
    caches, e.g. to measure a cold run."""
    from doctract.checks.ids import clear_cache as clear_ids
    from doctract.urls import split_url

    _CACHE.clear()
    split_url.cache_clear()
    clear_ids()


def _load(source: ContractSource, root: Path | None) -> Contract:
    path = Path(source.path)
    if root is not None and not path.is_absolute():
        path = root / path
    try:
        key = (str(path.resolve()), path.stat().st_mtime, source.prefixes)
    except OSError:
        return Contract.load(ContractSource(str(path), source.prefixes))
    if key not in _CACHE:
        _CACHE[key] = Contract.load(ContractSource(str(path), source.prefixes))
    return _CACHE[key]
