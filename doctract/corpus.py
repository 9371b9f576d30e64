"""Facts gathered across every tutorial of a run, for the cross-document rules.

The usual API host, which headers requests usually send, the placeholder name each header and
body field usually gets, the ids that lookups return, what the rules' `collect` hooks found
(e.g. the claims several documents make against the contract), and whatever the profile's
rules compare against (its `Facts`, e.g. the JSON Schemas that Flow Service spec lookups
publish).

Each document contributes a small `DocFacts` record; the `DocSet` merges them, in document
order. Rules read the doc set only through `Corpus.ask(question, *args)`: the streaming lint
(doctract.lint) checks each document as soon as it is read, before the doc set is known, so
it records the questions each document asks and checks again the few documents whose
questions the whole doc set answers otherwise than an empty one.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from doctract.api import Api
from doctract.contract import Target
from doctract.model import CurlRequest, JsonDoc, Tutorial
from doctract.profile import Facts, NoFacts
from doctract.urls import (
    ENTITY_ID,
    is_host_placeholder,
    placeholder_name,
    placeholder_names,
    split_url,
)

_PLACEHOLDER_HOST = "{placeholder host}"
_TARGETS = 1024  # request targets kept (by method and URL): a few documents' worth

T = TypeVar("T")
# a question about the doc set: a module-level function (picklable by name) of the DocSet and
# hashable arguments, whose answer compares with ==
Question = Callable[..., Any]
Asked = tuple[Question, tuple[Hashable, ...]]


@dataclass(frozen=True, slots=True)
class DocFacts:
    """What one document adds to the doc set: small and picklable, all a streaming lint keeps
    of a document once it is checked."""

    hosts: tuple[tuple[str, int], ...] = ()  # request host -> requests (placeholders as one)
    header_names: tuple[tuple[str, int], ...] = ()  # lower-case header name -> requests
    requests: int = 0
    header_placeholders: tuple[tuple[str, str], ...] = ()  # distinct (header, placeholder)
    field_placeholders: tuple[tuple[str, str], ...] = ()  # distinct (dotted field, placeholder)
    lookup_ids: frozenset[str] = frozenset()  # ids in the responses of lookups (spec GETs)
    claims: tuple[Hashable, ...] = ()  # distinct claims the rules' `collect` hooks found
    profile: Facts | None = None  # the profile's facts from this document

    @classmethod
    def of(cls, tutorial: Tutorial, api: Api, claims: Iterable[Hashable] = ()) -> DocFacts:
        hosts: Counter[str] = Counter()
        header_names: Counter[str] = Counter()
        requests = 0
        headers: dict[tuple[str, str], None] = {}
        fields: dict[tuple[str, str], None] = {}
        lookup_ids: set[str] = set()
        for step in tutorial.steps:
            for request in step.requests:
                host = split_url(request.url)[0]
                if host:  # a placeholder host counts as one: the doc set's way of naming it
                    hosts[_PLACEHOLDER_HOST if is_host_placeholder(host) else host.lower()] += 1
                requests += 1
                header_names.update({h.name.lower() for h in request.headers})
                for header in request.headers:
                    for name in placeholder_names(header.value):
                        headers[(header.name.lower(), name)] = None
                if request.body is not None and request.body.valid:
                    for path, field_name, _ in placeholder_fields(request.body):
                        fields[(path, field_name)] = None
                if _is_lookup(request, api):
                    for response in step.responses:
                        if response.body is not None and response.body.valid:
                            lookup_ids.update(ids_in(response.body.text))
        profile = api.profile.new_facts()
        profile.add(tutorial)
        return cls(
            tuple(hosts.items()),
            tuple(header_names.items()),
            requests,
            tuple(headers),
            tuple(fields),
            frozenset(lookup_ids),
            tuple(dict.fromkeys(claims)),
            profile,
        )


def _is_lookup(request: CurlRequest, api: Api) -> bool:
    lookups = api.vocabulary.lookups
    if request.method != "GET" or not lookups:
        return False
    path = split_url(request.url)[1]
    return any(f"/{name}" in path for name in lookups)


@dataclass
class DocSet:
    """The facts of every document merged; questions (`Corpus.ask`) read them."""

    profile: Facts
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
    claims: Counter[Hashable] = field(default_factory=Counter)  # claim -> documents making it

    def merge(self, facts: DocFacts) -> None:
        self.hosts.update(dict(facts.hosts))
        self.header_usage.update(dict(facts.header_names))
        self.requests += facts.requests
        for key, name in facts.header_placeholders:
            self.header_placeholders[key][name] += 1
        for key, name in facts.field_placeholders:
            self.field_placeholders[key][name] += 1
        self.lookup_ids |= facts.lookup_ids
        self.claims.update(facts.claims)
        if facts.profile is not None:
            self.profile.merge(facts.profile)

    # questions (see Corpus.ask)

    def usual_host(self) -> str | None:
        """The host most requests go to; None when there is no clear one, or when most
        requests name it with a placeholder (`MEILISEARCH_URL`)."""
        if not self.hosts:
            return None
        (host, count), *rest = self.hosts.most_common(2)
        if host == _PLACEHOLDER_HOST:
            return None
        return host if not rest or count > rest[0][1] else None

    def mostly_sent(self, header: str, share: float = 0.75, at_least: int = 4) -> bool:
        """True when most requests of the doc set send this header (the convention a
        contract-less check can rely on)."""
        count = self.header_usage[header.lower()]
        return self.requests >= at_least and count >= share * self.requests

    def looked_up(self, entity_id: str) -> bool:
        """True when a lookup of the doc set (a spec GET) returns this id."""
        return entity_id in self.lookup_ids

    def usual_placeholder(self, kind: str, key: str, name: str) -> tuple[str, int] | None:
        """The placeholder name (and how many documents use it) that the doc set mostly gives
        a header (`kind` "header") or a body field ("field") that this one calls `name`;
        None when `name` is not in the minority."""
        table = self.header_placeholders if kind == "header" else self.field_placeholders
        counts = table.get(key)
        if not counts:
            return None
        best, best_count = counts.most_common(1)[0]
        if best != name and best_count >= 2 and best_count > counts[name]:
            return best, best_count
        return None


@dataclass
class Corpus:
    """What rules check against: the API and the configuration (read directly), and the doc
    set (only through `ask`)."""

    api: Api = field(default_factory=Api)
    required_headers: tuple[str, ...] | None = None  # configured; None: from the contract
    expected_host: str | None = None
    docs: DocSet = field(default_factory=lambda: DocSet(NoFacts()))
    asked: set[Asked] | None = None  # the questions asked, when the lint records them
    collecting: bool = False  # `collect` hooks are running: they gather facts, never ask
    _targets: dict[tuple[str, str], Target | None] = field(default_factory=dict, repr=False)
    _memo_of: Tutorial | None = field(default=None, repr=False)
    _memo: dict[Hashable, Any] = field(default_factory=dict, repr=False)

    def ask(self, question: Callable[..., T], *args: Hashable) -> T:
        """The doc set's answer to `question(doc_set, *args)`. Every rule reads the doc set
        this way: decide as narrowly as the rule can (whether this host is a slip, not which
        host is usual), so that a document's answers differ from an empty doc set's only where
        its findings do."""
        if self.collecting:
            raise RuntimeError("a rule's collect hook asked the doc set; it gathers facts only")
        if self.asked is not None:
            self.asked.add((question, args))
        return question(self.docs, *args)

    def resolve(self, method: str, url: str) -> Target | None:
        """The request's contract and operation (None: no contract owns it); every rule asks,
        so the answer is kept for a while (the configuration decides it, not the doc set)."""
        key = (method, url)
        if key not in self._targets:
            if len(self._targets) >= _TARGETS:
                self._targets.clear()
            self._targets[key] = self.api.contracts.resolve(method, url, self.doc_hosts)
        return self._targets[key]

    def memo(self, tutorial: Tutorial, key: Hashable, compute: Callable[[], T]) -> T:
        """Work several rules share on one tutorial (the ids it uses, a rule's violations
        gathered by its `collect`), done once and kept until another tutorial is checked."""
        if self._memo_of is not tutorial:
            self._memo_of, self._memo = tutorial, {}
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]  # type: ignore[no-any-return]

    def forget(self) -> None:
        """Drop what `memo` keeps of the last tutorial."""
        self._memo_of, self._memo = None, {}

    @property
    def doc_hosts(self) -> frozenset[str]:
        """Hosts a contract owns besides its servers': the configured `host`, where the docs
        call the API's production host and the contract names a sandbox. Never guessed from
        the docs: a file that mostly calls another vendor's API would make it the API's."""
        return frozenset({self.expected_host}) if self.expected_host else frozenset()

    @classmethod
    def from_facts(
        cls,
        facts: Iterable[DocFacts],
        required_headers: Sequence[str] | None = None,
        expected_host: str | None = None,
        api: Api | None = None,
    ) -> Corpus:
        """The corpus of documents given by their facts, merged in the order given (no
        facts: an empty doc set, what the streaming lint checks against first)."""
        api = api or Api()
        docs = DocSet(api.profile.new_facts())
        for one in facts:
            docs.merge(one)
        return cls(
            api=api,
            required_headers=tuple(required_headers) if required_headers is not None else None,
            expected_host=expected_host,
            docs=docs,
        )

    @classmethod
    def build(
        cls,
        tutorials: Sequence[Tutorial],
        required_headers: Sequence[str] | None = None,
        expected_host: str | None = None,
        api: Api | None = None,
    ) -> Corpus:
        api = api or Api()
        return cls.from_facts(
            (DocFacts.of(t, api) for t in tutorials), required_headers, expected_host, api
        )


def ids_in(text: str) -> set[str]:
    """The UUIDs (lower-cased) and 32-digit hex ids in a text."""
    return {found.lower() for found in ENTITY_ID.findall(text)}


def placeholder_fields(body: JsonDoc) -> list[tuple[str, str, list[str | int]]]:
    """(dotted.path, placeholder name, exact path) for every string leaf of a valid JSON
    example that is one whole placeholder (`urls.placeholder_name`), in document order; the
    dotted path omits indexes. Every request body of every tutorial goes through here twice:
    a body whose text has no string starting with `{` (written as is or as a \\u escape) is
    not walked, and the walk is a loop with a stack and one list for the path being walked,
    spelled out only at those leaves."""
    if '"{' not in body.text and "\\u" not in body.text:
        return []
    return _placeholder_leaves(body.value)


def _placeholder_leaves(value: Any) -> list[tuple[str, str, list[str | int]]]:
    found: list[tuple[str, str, list[str | int]]] = []
    where: list[str | int] = []
    stack: list[tuple[int, str | int, Any]] = [(0, "", value)]
    while stack:
        depth, key, node = stack.pop()
        if depth:
            del where[depth - 1 :]
            where.append(key)
        if isinstance(node, dict):
            stack.extend([(depth + 1, k, v) for k, v in reversed(node.items())])
        elif isinstance(node, list):
            stack.extend([(depth + 1, i, node[i]) for i in range(len(node) - 1, -1, -1)])
        elif isinstance(node, str) and node.startswith("{"):
            name = placeholder_name(node)
            if name:
                found.append((_dotted(where), name, list(where)))
    return found


def _dotted(where: list[str | int]) -> str:
    prefix = ""
    for part in where:
        if isinstance(part, str):
            prefix = f"{prefix}.{part}" if prefix else part
    return prefix
