"""The API contract: the OpenAPI documents doctract learns operations, headers, schemas and ids
from. Generic stages use `ContractSet` and never look into a document themselves."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from doctract.contract.build import build_operations, server_bases
from doctract.contract.dialect import as_json_schema
from doctract.contract.document import ContractError, parse_document, read_document
from doctract.contract.model import Credential, Media, Operation, Parameter
from doctract.contract.router import Match, Router, segments
from doctract.contract.validation import SchemaError, Schemas
from doctract.urls import is_host_placeholder, split_url

_WHOLE_PARAM = re.compile(r"^\{[^{}]+\}$")


@dataclass(frozen=True, slots=True)
class ContractSource:
    """Where a contract is and what it owns: URL prefixes (`https://api.x.com/v1`) or path
    prefixes (`/v1`); none means every request to its servers' hosts and base paths."""

    path: str
    prefixes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Target:
    """A documented request resolved against a contract."""

    contract: Contract
    path: str  # the path as the contract's templates see it
    match: Match | None

    @property
    def operation(self) -> Operation | None:
        return self.match.operation if self.match else None


class Contract:
    """One OpenAPI document, ready for matching and validation."""

    def __init__(self, name: str, document: dict[str, Any], prefixes: Sequence[str] = ()) -> None:
        self.name = name
        self.raw = document  # as written (schemathesis reads it)
        try:
            self.document = as_json_schema(document)
            self.operations = build_operations(self.document, name)
        except RecursionError:
            raise ContractError(f"{name}: a schema nests too deeply to use") from None
        self.router = Router(self.operations)
        self.servers = server_bases(self.document)
        self.hosts = frozenset(h.lower() for h, _ in self.servers if h)
        self.bases = tuple(sorted({b for _, b in self.servers}, key=len, reverse=True))
        self.prefixes = tuple(_prefix(p) for p in prefixes)

    @classmethod
    def load(cls, source: ContractSource, root: Path | None = None) -> Contract:
        path = Path(source.path)
        if root is not None and not path.is_absolute():
            path = root / path
        return cls(path.name, read_document(path), source.prefixes)

    @classmethod
    def from_text(cls, text: str, name: str, prefixes: Sequence[str] = ()) -> Contract:
        return cls(name, parse_document(text, name), prefixes)

    @cached_property
    def schemas(self) -> Schemas:
        return Schemas(self.document)

    def _host_ok(self, host: str, extra_hosts: frozenset[str]) -> bool:
        """A contract owns its servers' hosts and the configured ones; a contract that names
        no host (no `servers`, or relative ones) owns placeholder hosts only."""
        return (
            not host
            or is_host_placeholder(host)
            or host.lower() in self.hosts
            or host.lower() in extra_hosts
        )

    def owned_path(
        self, host: str, path: str, extra_hosts: frozenset[str] = frozenset()
    ) -> str | None:
        """The path relative to the contract's base path when the contract owns the request;
        None when it is another API's."""
        if not host:
            pass  # a path written alone (an API format line): relative to any base path
        elif self.prefixes:
            if not any(_prefix_matches(p, host, path) for p in self.prefixes):
                return None
        elif not self._host_ok(host, extra_hosts):
            return None
        for base in self.bases:
            if not base:
                return path
            if path == base or path.startswith(base + "/"):
                return path[len(base) :] or "/"
        if not host or is_host_placeholder(host) or self.prefixes:
            return path  # a path written without the base path (`POST /connections`)
        return None

    def resolve(
        self, method: str, url: str, extra_hosts: frozenset[str] = frozenset()
    ) -> Target | None:
        host, path, _ = split_url(url)
        owned = self.owned_path(host, path, extra_hosts)
        if owned is None:
            return None
        # a path may leave out the base path only where the doc writes no real host (an API
        # format line, `{HOST}/connections`): a full URL must be right as it is
        relative = not host or is_host_placeholder(host)
        return Target(self, owned, self.router.match(method, owned, relative=relative))

    @cached_property
    def collections(self) -> dict[str, str]:
        """Path parameter -> the collection segment before it (`connectionId` ->
        `connections`), from the path templates; a parameter name that several collections
        share (`{id}`) says nothing and is left out."""
        seen: dict[str, set[str]] = {}
        for literal, param in self._item_pairs:
            seen.setdefault(param, set()).add(literal)
        return {param: next(iter(c)) for param, c in seen.items() if len(c) == 1}

    @cached_property
    def collection_names(self) -> frozenset[str]:
        """Every collection segment: a literal followed by one whole parameter segment."""
        return frozenset(literal for literal, _ in self._item_pairs)

    @cached_property
    def _item_pairs(self) -> set[tuple[str, str]]:
        pairs: set[tuple[str, str]] = set()
        for op in self.operations:
            segs = segments(op.template)
            for literal, nxt in itertools.pairwise(segs):
                if "{" not in literal and _WHOLE_PARAM.match(nxt):
                    pairs.add((literal, nxt[1:-1]))
        return pairs

    def delete_for(self, create: Operation) -> Operation | None:
        """The DELETE on the item path of what a POST to a collection creates."""
        for op in self.operations:
            if op.method == "DELETE" and _is_item_of(op.template, create.template):
                return op
        return None

    def item_template(self, create: Operation) -> str | None:
        """The item path of what a POST to a collection creates (`/notes/{noteId}` for
        `POST /notes`), when any operation of the contract has one; the DELETE's first."""
        delete = self.delete_for(create)
        if delete is not None:
            return delete.template
        for op in self.operations:
            if not op.opaque and _is_item_of(op.template, create.template):
                return op.template
        return None

    def list_for(self, create: Operation) -> Operation | None:
        """The GET on the collection a POST creates in (where what it created can be found)."""
        for op in self.operations:
            if op.method == "GET" and op.template == create.template:
                return op
        return None

    @cached_property
    def secrets(self) -> Secrets:
        """What must never be written down: the credentials its security schemes carry, and
        the body fields its schemas mark `format: password` or `writeOnly`."""
        from doctract.contract.build import security_schemes

        headers: set[str] = set()
        query: set[str] = set()
        for cred in security_schemes(self.document).values():
            (headers if cred.location in ("header", "cookie") else query).add(
                "cookie" if cred.location == "cookie" else cred.name.lower()
            )
        return Secrets(
            frozenset(headers), frozenset(query), frozenset(_secret_fields(self.document))
        )

    @cached_property
    def shared_security(self) -> tuple[tuple[Credential, ...], ...]:
        """The security every operation requires (for a request that matches none)."""
        values = {op.security for op in self.operations}
        return values.pop() if len(values) == 1 else ()

    @cached_property
    def shared_headers(self) -> tuple[Parameter, ...]:
        """Required header parameters every operation declares."""
        ops = list(self.operations)
        if not ops:
            return ()
        common = {p.key: p for p in ops[0].required_headers()}
        for op in ops[1:]:
            keys = {p.key for p in op.required_headers()}
            common = {k: v for k, v in common.items() if k in keys}
        return tuple(common.values())


@dataclass(frozen=True, slots=True)
class Secrets:
    headers: frozenset[str] = frozenset()  # lower-case header names
    query: frozenset[str] = frozenset()  # query parameter names
    fields: frozenset[str] = frozenset()  # body property names

    def __or__(self, other: Secrets) -> Secrets:
        return Secrets(
            self.headers | other.headers, self.query | other.query, self.fields | other.fields
        )


def _secret_fields(node: Any) -> set[str]:
    """Property names whose schema says `format: password` or `writeOnly: true`."""
    found: set[str] = set()
    stack = [node]
    visited: set[int] = set()
    while stack:
        current = stack.pop()
        if id(current) in visited:
            continue  # a YAML alias can make the document a graph
        visited.add(id(current))
        if isinstance(current, dict):
            props = current.get("properties")
            if isinstance(props, dict):
                for name, schema in props.items():
                    if isinstance(schema, dict) and (
                        schema.get("format") == "password" or schema.get("writeOnly") is True
                    ):
                        found.add(str(name))
            stack.extend(current.values())
        elif isinstance(current, list):
            stack.extend(current)
    return found


def _is_item_of(item: str, collection: str) -> bool:
    segs, coll = segments(item), segments(collection)
    return len(segs) == len(coll) + 1 and segs[:-1] == coll and bool(_WHOLE_PARAM.match(segs[-1]))


def _prefix(text: str) -> tuple[str | None, str]:
    if "://" in text:
        host, path, _ = split_url(text)
        return host.lower() or None, path.rstrip("/")
    return None, "/" + text.strip("/") if text.strip("/") else ""


def _prefix_matches(prefix: tuple[str | None, str], host: str, path: str) -> bool:
    want_host, want_path = prefix
    if want_host and host and not is_host_placeholder(host) and host.lower() != want_host:
        return False
    return not want_path or path == want_path or path.startswith(want_path + "/")


class ContractSet:
    """The contracts of a doc set; each request belongs to the first that owns it."""

    def __init__(self, contracts: Iterable[Contract]) -> None:
        self.contracts = tuple(contracts)

    @classmethod
    def load(cls, sources: Sequence[ContractSource], root: Path | None = None) -> ContractSet:
        return cls(Contract.load(source, root) for source in sources)

    def resolve(
        self, method: str, url: str, extra_hosts: frozenset[str] = frozenset()
    ) -> Target | None:
        """The request's contract and operation; None when no contract owns it. When several
        own it, the first whose templates match wins."""
        first: Target | None = None
        for contract in self.contracts:
            target = contract.resolve(method, url, extra_hosts)
            if target is None:
                continue
            if target.match is not None:
                return target
            first = first or target
        return first

    @property
    def secrets(self) -> Secrets:
        found = Secrets()
        for contract in self.contracts:
            found = found | contract.secrets
        return found

    def __bool__(self) -> bool:
        return bool(self.contracts)


__all__ = [
    "Contract",
    "ContractError",
    "ContractSet",
    "ContractSource",
    "Credential",
    "Match",
    "Media",
    "Operation",
    "Parameter",
    "SchemaError",
    "Secrets",
    "Target",
]
