"""Facts gathered across every tutorial of a run, for the cross-document rules.

The usual API host, which headers requests usually send, the placeholder name each header and
body field usually gets, the ids that lookups return, and whatever the profile's rules compare
against (its `Facts`, e.g. the JSON Schemas that Flow Service spec lookups publish).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from doctract.api import Api
from doctract.contract import Target
from doctract.model import CurlRequest, Tutorial
from doctract.profile import Facts, NoFacts
from doctract.urls import (
    HEX_ID,
    UUID,
    is_host_placeholder,
    placeholder_name,
    placeholder_names,
    split_url,
)

_PLACEHOLDER_HOST = "{placeholder host}"


@dataclass
class Corpus:
    api: Api = field(default_factory=Api)
    hosts: Counter[str] = field(default_factory=Counter)
    header_usage: Counter[str] = field(default_factory=Counter)  # lower-case name -> requests
    requests: int = 0
    header_placeholders: dict[str, Counter[str]] = field(
        default_factory=lambda: defaultdict(Counter)
    )
    field_placeholders: dict[str, Counter[str]] = field(
        default_factory=lambda: defaultdict(Counter)
    )
    lookup_ids: set[str] = field(default_factory=set)
    facts: Facts = field(default_factory=NoFacts)
    required_headers: tuple[str, ...] | None = None  # configured; None: from the contract
    expected_host: str | None = None
    rule_facts: dict[str, Any] = field(default_factory=dict)  # what rules' `collect` gathered
    _targets: dict[tuple[str, str], Target | None] = field(default_factory=dict, repr=False)

    def resolve(self, method: str, url: str) -> Target | None:
        """The request's contract and operation (None: no contract owns it); every rule asks,
        so the answer is kept for the run."""
        key = (method, url)
        if key not in self._targets:
            self._targets[key] = self.api.contracts.resolve(method, url, self.doc_hosts)
        return self._targets[key]

    @property
    def usual_host(self) -> str | None:
        """The host most requests go to; None when there is no clear one, or when most
        requests name it with a placeholder (`MEILISEARCH_URL`)."""
        if not self.hosts:
            return None
        (host, count), *rest = self.hosts.most_common(2)
        if host == _PLACEHOLDER_HOST:
            return None
        return host if not rest or count > rest[0][1] else None

    @property
    def doc_hosts(self) -> frozenset[str]:
        """Hosts a contract owns besides its servers': the configured `host`, where the docs
        call the API's production host and the contract names a sandbox. Never guessed from
        the docs: a file that mostly calls another vendor's API would make it the API's."""
        return frozenset({self.expected_host}) if self.expected_host else frozenset()

    def mostly_sent(self, header: str, share: float = 0.75, at_least: int = 4) -> bool:
        """True when most requests of the doc set send this header (the convention a
        contract-less check can rely on)."""
        count = self.header_usage[header.lower()]
        return self.requests >= at_least and count >= share * self.requests

    @classmethod
    def build(
        cls,
        tutorials: Sequence[Tutorial],
        required_headers: Sequence[str] | None = None,
        expected_host: str | None = None,
        api: Api | None = None,
    ) -> Corpus:
        api = api or Api()
        corpus = cls(
            api=api,
            facts=api.profile.new_facts(),
            required_headers=tuple(required_headers) if required_headers is not None else None,
            expected_host=expected_host,
        )
        for tutorial in tutorials:
            corpus.add(tutorial)
        return corpus

    def add(self, tutorial: Tutorial) -> None:
        seen_headers: set[tuple[str, str]] = set()
        seen_fields: set[tuple[str, str]] = set()
        for step in tutorial.steps:
            for request in step.requests:
                host = split_url(request.url)[0]
                if host:  # a placeholder host counts as one: the doc set's way of naming it
                    self.hosts[
                        _PLACEHOLDER_HOST if is_host_placeholder(host) else host.lower()
                    ] += 1
                self.requests += 1
                for name in {h.name.lower() for h in request.headers}:
                    self.header_usage[name] += 1
                for header in request.headers:
                    for name in placeholder_names(header.value):
                        seen_headers.add((header.name.lower(), name))
                if request.body is not None and request.body.valid:
                    for path, value, _ in leaf_strings(request.body.value):
                        field_name = placeholder_name(value)
                        if field_name:
                            seen_fields.add((path, field_name))
                if self._is_lookup(request):
                    for response in step.responses:
                        if response.body is not None and response.body.valid:
                            self.lookup_ids.update(ids_in(response.body.text))
        for key, name in seen_headers:
            self.header_placeholders[key][name] += 1
        for key, name in seen_fields:
            self.field_placeholders[key][name] += 1
        self.facts.add(tutorial)

    def _is_lookup(self, request: CurlRequest) -> bool:
        lookups = self.api.vocabulary.lookups
        if request.method != "GET" or not lookups:
            return False
        path = split_url(request.url)[1]
        return any(f"/{name}" in path for name in lookups)


def ids_in(text: str) -> set[str]:
    return {m.group().lower() for m in UUID.finditer(text)} | set(HEX_ID.findall(text))


def leaf_strings(
    value: Any, prefix: str = "", where: tuple[str | int, ...] = ()
) -> Iterator[tuple[str, str, list[str | int]]]:
    """(dotted.path, string, exact path) for every string leaf; the dotted path omits indexes."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from leaf_strings(item, f"{prefix}.{key}" if prefix else str(key), (*where, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from leaf_strings(item, prefix, (*where, index))
    elif isinstance(value, str):
        yield prefix, value, list(where)
