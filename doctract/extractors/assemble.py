"""Document events to the tutorial model: steps with API format, requests, responses, tables."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from doctract.extractors.curl import looks_like_curl, parse_curl
from doctract.extractors.events import (
    Event,
    HeadingEvent,
    LabelEvent,
    ProseEvent,
)
from doctract.extractors.jsonparse import parse_json
from doctract.model import (
    ApiFormat,
    CodeBlock,
    CurlRequest,
    Diagnostic,
    EndpointMention,
    JsonDoc,
    Pos,
    ResponseExample,
    Step,
    Table,
    Tutorial,
)

_API_FORMAT = re.compile(r"^\s*(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\s+(/\S*)\s*$")
_STATUS = re.compile(r"\bHTTP(?:\s+status)?(?:\s+code)?\s+(\d{3})\b|\bstatus(?:\s+code)?\s+(\d{3})\b",
                     re.IGNORECASE)
# a mention starts at its method or its path: the lookahead, which changes no match, lets the
# search skip the other characters (a third of the time, on the prose of a doc set)
_MENTION = re.compile(
    r"(?=[GPD`/])"
    r"(?:\b(GET|POST|PUT|PATCH|DELETE)\s+request\s+to\s+(?:the\s+)?)?`?(/[A-Za-z][\w{}./-]*)`?"
    r"\s+endpoint")
# prose after a request that introduces its response ("Meilisearch returns a task object:")
_RESPONSE_CUE = re.compile(r"(?=[ra])\b(?:returns?|responds?|response|answers?)\b", re.IGNORECASE)
_SHELL_LANGS = frozenset({"shell", "sh", "bash", "console", "curl", "zsh"})
_HTTP_LANGS = frozenset({"http", "https"})


@dataclass
class _StepBuilder:
    title: str
    anchor: str
    pos: Pos
    prose: list[str] = field(default_factory=list)
    api_format: ApiFormat | None = None
    requests: list[CurlRequest] = field(default_factory=list)
    request_bodies: list[JsonDoc] = field(default_factory=list)
    responses: list[ResponseExample] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    mentions: list[EndpointMention] = field(default_factory=list)
    other_json: list[JsonDoc] = field(default_factory=list)
    blocks: list[CodeBlock] = field(default_factory=list)
    label: str | None = None
    status: int | None = None
    status_pos: Pos | None = None
    implied_response: bool = False  # unlabelled prose after a request announced its response

    def build(self) -> Step:
        if self.status is not None and self.status_pos is not None and not any(
            r.status == self.status for r in self.responses
        ):
            self.responses.append(
                ResponseExample(self.status, None, self.status_pos, self.status_pos)
            )
        return Step(
            self.title, self.anchor, self.pos, "\n".join(self.prose), self.api_format,
            tuple(self.requests), tuple(self.request_bodies), tuple(self.responses),
            tuple(self.tables), tuple(self.mentions), tuple(self.other_json), tuple(self.blocks),
        )

    def add_prose(self, text: str, pos: Pos) -> None:
        self.prose.append(text)
        if self.label is None and "endpoint" in text:  # every mention ends with the word
            for m in _MENTION.finditer(text):
                self.mentions.append(EndpointMention(m.group(2).rstrip("./"), m.group(1), pos))
        if self.label is None and self.requests and _RESPONSE_CUE.search(text):
            self.implied_response = True
        if (self.label == "response" or self.implied_response) and self.status is None:
            status = _STATUS.search(text)
            if status:
                self.status = int(status.group(1) or status.group(2))
                self.status_pos = pos

    def add_code(self, block: CodeBlock) -> None:
        implied, self.implied_response = self.implied_response, False
        self.blocks.append(block)
        lines = block.lines
        texts = lines.texts
        if not texts:
            return
        lang = block.lang
        index = next((i for i, text in enumerate(texts) if text.strip()), 0)
        first = texts[index]
        api = _API_FORMAT.match(first)
        if api and sum(1 for text in texts if text.strip()) == 1 and (
                lang in _HTTP_LANGS or lang == "" or self.label == "api-format"):
            method, target = api.group(1), api.group(2)
            path, _, query = target.partition("?")
            pos = lines.pos(index, len(first) - len(first.lstrip()))
            self.api_format = ApiFormat(method, path, query, pos)
            return
        if lang in _SHELL_LANGS or (lang in ("", "text", *_HTTP_LANGS) and looks_like_curl(lines)):
            self.requests.extend(parse_curl(lines))
            return
        stripped = first.lstrip()
        if lang == "json" or (lang == "" and stripped.startswith(("{", "["))):
            doc = parse_json(lines)
            if self.label == "response" or (implied and self.label is None):
                self.responses.append(ResponseExample(self.status, doc, doc.pos, self.status_pos))
                self.status = None
                self.status_pos = None
            elif self.label == "request" and not self.requests:
                self.request_bodies.append(doc)
            else:
                self.other_json.append(doc)


def assemble(path: str, title: str, form: str, events: list[Event]) -> Tutorial:
    steps: list[Step] = []
    diagnostics: list[Diagnostic] = []
    current = _StepBuilder(title, "", Pos(1, 1))
    for event in events:
        if isinstance(event, HeadingEvent):
            steps.append(current.build())
            current = _StepBuilder(event.text, event.anchor, event.pos)
        elif isinstance(event, LabelEvent):
            current.label = event.label
        elif isinstance(event, ProseEvent):
            current.add_prose(event.text, event.pos)
        elif isinstance(event, CodeBlock):
            current.add_code(event)
        elif isinstance(event, Table):
            current.tables.append(event)
        elif isinstance(event, Diagnostic):
            diagnostics.append(event)
    steps.append(current.build())
    kept = tuple(s for s in steps if s.blocks or s.tables or s.api_format or s.responses)
    return Tutorial(path, title, form, kept, tuple(diagnostics))
