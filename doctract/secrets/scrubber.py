"""The one scrubber every writer uses: the values to remove, and the contract's secret names.

Structured data is scrubbed by its structure first (a JSON body's keys, a form's or a query's
parameters, a URL's userinfo, a header's name), then every string in it as free text; each
file's final serialized text goes through `text` once more, as the last line of defence.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any
from urllib.parse import SplitResult, unquote_plus, urlsplit

from doctract.contract import Secrets
from doctract.secrets.names import is_secret_header, is_secret_key, is_secret_param
from doctract.secrets.shapes import SCRUBBED, is_placeholder, looks_secret
from doctract.secrets.text import mask_credentials, mask_values, value_forms

Body = bytes | str | None
_MEMO_CHARS = 4_000_000  # characters of strings and answers remembered per memo
_MEMO_MAX_CHARS = 65_536  # longer strings are scrubbed each time, not remembered
_MEMOS_LIMIT = 4  # memos kept (a run has one per distinct set of values and names)
_TEXT, _VALUE, _BODY = 0, 1, 2  # what a memo's answer is for: free text, a value, a body
_FORM = re.compile(r"[\w.\-\[\]%+~]+=[^&\s]*(?:&[\w.\-\[\]%+~]+=[^&\s]*)*")


@dataclass
class _Memo:
    """Answers kept within a budget of characters (forgotten all at once when it is spent)."""

    answers: dict[tuple[int, str], str] = field(default_factory=dict)
    chars: int = 0

    def remember(self, key: tuple[int, str], answer: str) -> None:
        size = len(key[1]) + len(answer)
        if size > _MEMO_MAX_CHARS:
            return
        if self.chars + size > _MEMO_CHARS:
            self.answers.clear()
            self.chars = 0
        self.answers[key] = answer
        self.chars += size


@dataclass(frozen=True)
class Scrubber:
    values: frozenset[str] = frozenset()  # secret values (doctract.secrets.values)
    names: Secrets = field(default_factory=Secrets)  # the contract's secret names

    @cached_property
    def forms(self) -> tuple[str, ...]:
        """The values as they show up in files (doctract.secrets.text.value_forms)."""
        return value_forms(self.values)

    def with_values(self, values: Iterable[str]) -> Scrubber:
        more = frozenset(values) - self.values
        return Scrubber(self.values | more, self.names) if more else self

    # --- free text ------------------------------------------------------------------------

    @cached_property
    def _memo(self) -> _Memo:
        """Strings already scrubbed by this scrubber or an equal one (scrubbers are immutable,
        so an answer holds): a replay scrubs the same bodies and values again and again
        (matching, results), and each tutorial of a run builds a scrubber equal to the last
        one's."""
        if len(_MEMOS) >= _MEMOS_LIMIT and self not in _MEMOS:
            _MEMOS.clear()
        return _MEMOS.setdefault(self, _Memo())

    def _remember(self, key: tuple[int, str], answer: str) -> str:
        self._memo.remember(key, answer)
        return answer

    def text(self, text: str) -> str:
        """Known values, then credentials by their look and by the names they follow."""
        found = self._memo.answers.get((_TEXT, text))
        if found is not None:
            return found
        return self._remember(
            (_TEXT, text),
            mask_credentials(
                mask_values(text, self.forms),
                self.names.headers,
                self.names.query,
                self.names.fields,
            ),
        )

    def markup(self, text: str) -> str:
        """`text` for serialized XML or HTML: values and credentials by their look (the
        name-based rules need the quotes markup escapes: the data was scrubbed with them before
        it was rendered); a literal `<SCRUBBED>` there can only be this pass's own, written
        escaped so the document stays well-formed."""
        masked = mask_credentials(mask_values(text, self.forms), by_name=False)
        return masked.replace(SCRUBBED, html.escape(SCRUBBED))

    def data(self, value: Any) -> Any:
        """Every string in a JSON-like structure (results, reports) through `text`."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {k: self.data(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.data(v) for v in value]
        return value

    # --- structure --------------------------------------------------------------------------

    def secret_key(self, key: str) -> bool:
        return is_secret_key(key, self.names.fields)

    def secret_header(self, name: str) -> bool:
        return is_secret_header(name, self.names.headers)

    def secret_param(self, name: str) -> bool:
        return is_secret_param(name, self.names.query)

    def value(self, value: str) -> str:
        """A single value (a JSON string, a form value): a credential by its look is all
        scrubbed; otherwise whatever credential it holds."""
        found = self._memo.answers.get((_VALUE, value))
        if found is not None:
            return found
        if looks_secret(value) and not is_placeholder(value):
            return self._remember((_VALUE, value), SCRUBBED)
        return self._remember((_VALUE, value), self.text(value))

    def json(self, value: Any, secret: bool = False) -> Any:
        """Strings under secret keys (and the contract's secret fields) scrubbed, placeholders
        too (bodies compare the same whether a secret was filled in or not); numbers, booleans
        and nulls kept, so the shape compares as before."""
        if isinstance(value, dict):
            return {k: self.json(v, self.secret_key(str(k))) for k, v in value.items()}
        if isinstance(value, list):
            return [self.json(v, secret) for v in value]
        if isinstance(value, str):
            if secret and value:  # a placeholder too: the doc's value may stand in its place
                return SCRUBBED
            return self.value(value)
        return value

    def pairs(self, text: str) -> str:
        """A query string or form body: secret parameters' values and secret-looking values
        scrubbed, the other pairs left as written."""
        out = []
        for pair in text.split("&"):
            name, sep, value = pair.partition("=")
            plain = unquote_plus(value)
            if (
                sep
                and value
                and not is_placeholder(plain)
                and (self.secret_param(unquote_plus(name)) or looks_secret(plain))
            ):
                out.append(f"{name}={SCRUBBED}")
            else:
                out.append(self.text(pair))
        return "&".join(out)

    def query(self, query: str) -> str:
        return self.pairs(query) if query else query

    def url(self, url: str) -> str:
        """Userinfo, secret query parameters, and secrets in the path and fragment scrubbed."""
        try:
            parts = urlsplit(url)
        except ValueError:
            return self.text(url)
        netloc = parts.netloc
        if "@" in netloc:
            userinfo, _, host = netloc.rpartition("@")
            user, colon, _ = userinfo.partition(":")
            netloc = f"{user}:{SCRUBBED}@{host}" if colon else f"{SCRUBBED}@{host}"
        scrubbed = SplitResult(
            parts.scheme,
            netloc,
            self.text(parts.path),
            self.query(parts.query),
            self.text(parts.fragment),
        )
        return scrubbed.geturl()

    def header(self, name: str, value: str) -> str:
        if self.secret_header(name):
            return SCRUBBED
        return self.text(value)

    def body(self, body: Body) -> Body:
        """A JSON body by its keys (re-serialized with sorted keys), a form body by its
        parameters, anything else as text."""
        if not body:
            return body
        text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
        scrubbed = self._memo.answers.get((_BODY, text))
        if scrubbed is None:
            scrubbed = self._remember((_BODY, text), self._body_text(text))
        if scrubbed == text:
            return body
        return scrubbed.encode() if isinstance(body, bytes) else scrubbed

    def _body_text(self, text: str) -> str:
        try:
            return json.dumps(self.json(json.loads(text)), sort_keys=True)
        except (ValueError, RecursionError):
            pass
        stripped = text.strip()
        if _FORM.fullmatch(stripped):
            scrubbed = self.pairs(stripped)
            return text if scrubbed == stripped else scrubbed
        return self.text(text)


_MEMOS: dict[Scrubber, _Memo] = {}
NO_SECRETS = Scrubber()
ScrubberSource = Callable[[], Scrubber]
