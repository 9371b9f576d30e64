"""Rules for examples that do not parse: JSON, curl/shell, fences."""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from doctract.checks.registry import Hit, rule
from doctract.corpus import Corpus
from doctract.findings import Severity
from doctract.model import JsonDoc, Tutorial
from doctract.rule_ids import (
    CURL_BROKEN_CONTINUATION,
    CURL_DANGLING_CONTINUATION,
    CURL_MISSING_COMMAND,
    CURL_MISSING_URL,
    CURL_UNBALANCED_QUOTE,
    CURL_UNKNOWN_FLAG,
    HEADER_SYNTAX,
    JSON_ELIDED,
    JSON_SYNTAX,
    UNCLOSED_FENCE,
    UNKNOWN_FENCE_LANGUAGE,
)

# Fence languages the common renderers (highlight.js, Prism, Shiki, Pygments) know, with their
# usual aliases, and what real doc sets use. Short enough that a typo (`jsn`, `shel`) is not one.
_LANGUAGE_NAMES = """
    http https rest console terminal shell shellscript shellsession shell-session sh-session
    sh bash zsh ksh fish curl powershell pwsh ps1 psm1 bat batch cmd dos nushell nu
    json jsonc json5 jsonl ndjson geojson jsonld json-ld hjson jsonnet libsonnet
    javascript js mjs cjs jsx typescript ts mts cts tsx coffeescript coffee vue svelte astro
    python py python3 py3 ipython ipython3 pycon pytb cython java jsp kotlin kt kts scala sc
    groovy gradle clojure clj cljs edn dart swift objective-c objectivec objc c h cpp c++ cc
    cxx hpp cuda arduino go golang rust rs zig nim crystal cr d v ruby rb erb gemspec rake
    php phtml perl pl pm raku lua luau r rmd julia jl matlab octave haskell hs elm purescript
    ocaml ml reason rescript fsharp f# csharp cs c# vb vbnet vba vbscript erlang erl elixir ex
    exs heex eex gleam lisp elisp emacs-lisp scheme racket fennel nix dhall cue starlark bzl
    fortran ada pascal delphi cobol abap apex solidity sol move cairo tcl awk sed vim viml
    applescript autohotkey ahk wasm wat asm nasm x86asm llvm glsl hlsl wgsl
    yaml yml toml ini properties conf cfg env dotenv editorconfig gitignore ignore gitconfig
    xml svg xsl xslt html htm xhtml css scss sass less stylus postcss
    markdown md mdx rst restructuredtext asciidoc adoc tex latex bibtex typst org
    hcl terraform tf tfvars rego dockerfile docker containerfile makefile make mk cmake
    nginx apache apacheconf caddyfile haproxy systemd crontab ssh-config
    graphql gql protobuf proto thrift avro capnp prisma sql pgsql postgresql postgres mysql
    plsql tsql sqlite cypher sparql turtle
    handlebars hbs mustache jinja jinja2 j2 django twig liquid ejs haml pug slim razor cshtml
    mermaid plantuml puml dot graphviz d2 abnf bnf ebnf regex
    csv tsv diff patch log ansi text txt plaintext plain none output
"""
KNOWN_LANGUAGES = frozenset({"", *_LANGUAGE_NAMES.split()})


def json_docs(tutorial: Tutorial) -> Iterator[JsonDoc]:
    for step in tutorial.steps:
        for request in step.requests:
            if request.body is not None:
                yield request.body
        yield from step.request_bodies
        for response in step.responses:
            if response.body is not None:
                yield response.body
        yield from step.other_json


@rule(JSON_SYNTAX, Severity.ERROR)
def json_syntax(tutorial: Tutorial, corpus: Corpus) -> Iterator[Hit]:
    """A JSON example (request body or response) is not valid JSON.

    Every error in a block is reported at its own line, including bare placeholders such as
    `"host": {HOST}` that must be quoted. Placeholders inside strings are fine.
    """
    for doc in json_docs(tutorial):
        for error in doc.errors:
            if error.code == JSON_SYNTAX:
                yield Hit(error.pos, error.message, error.hint)


@rule(JSON_ELIDED, Severity.INFO)
def json_elided(tutorial: Tutorial, corpus: Corpus) -> Iterator[Hit]:
    """A JSON example leaves parts out with `...` or `…`.

    `{"hits": [ … ], "query": "x"}` is a common way to show the part that matters; it is one
    finding per block (at the first elision), not a syntax error at each `…`. Real syntax errors
    elsewhere in the block are still `json-syntax`. A string such as `"..."` is fine.
    """
    for doc in json_docs(tutorial):
        for error in doc.errors:
            if error.code == JSON_ELIDED:
                yield Hit(error.pos, error.message, error.hint)


def _curl_rule(code: str) -> None:
    def check(tutorial: Tutorial, corpus: Corpus) -> Iterator[Hit]:
        for step in tutorial.steps:
            for request in step.requests:
                for diag in request.diagnostics:
                    if diag.code == code:
                        yield Hit(diag.pos, diag.message, diag.hint)

    check.__doc__ = _CURL_DOCS[code][1]
    rule(code, _CURL_DOCS[code][0])(check)


_CURL_DOCS = {
    CURL_MISSING_COMMAND: (
        Severity.ERROR,
        """A shell example has curl's arguments but no `curl`.

        The block starts with the URL or a flag, so pasting it runs nothing useful.""",
    ),
    CURL_BROKEN_CONTINUATION: (
        Severity.ERROR,
        """A line of a curl command lost its trailing `\\`.

        The shell ends the command there and runs the following lines (headers, body) as a
        separate command, so the request is sent without them.""",
    ),
    CURL_DANGLING_CONTINUATION: (
        Severity.WARNING,
        """The last line of a curl command ends with `\\`.

        The shell waits for another line instead of running the command.""",
    ),
    CURL_UNBALANCED_QUOTE: (
        Severity.ERROR,
        """A quote in a curl command is never closed.

        Everything up to the end of the block becomes one argument.""",
    ),
    CURL_UNKNOWN_FLAG: (
        Severity.WARNING,
        """A curl command uses an option curl does not have.""",
    ),
    CURL_MISSING_URL: (Severity.ERROR, """A curl command has no URL."""),
}
for _code in _CURL_DOCS:
    _curl_rule(_code)


@rule(HEADER_SYNTAX, Severity.ERROR)
def header_syntax(tutorial: Tutorial, corpus: Corpus) -> Iterator[Hit]:
    """A `-H` header line is malformed, so curl sends a broken header or none.

    `-H 'x-api-key : {API_KEY}'` (a space before the colon) sends a header servers reject or
    ignore; `-H 'x-api-key {API_KEY}'` (no colon) is not sent at all, so the request also lacks
    that header; `-H \u2018If-Match: "..."\u2019` (typographic quotes, as word processors
    write them) are not quotes to the shell, so curl gets a header name no HTTP server accepts,
    and replay reports the request as broken. Reported at the header's line, with the name but
    never the value.
    """
    for step in tutorial.steps:
        for request in step.requests:
            for diag in request.diagnostics:
                if diag.code == HEADER_SYNTAX:
                    yield Hit(diag.pos, diag.message, diag.hint)


@rule(UNCLOSED_FENCE, Severity.ERROR)
def unclosed_fence(tutorial: Tutorial, corpus: Corpus) -> Iterator[Hit]:
    """A code fence is never closed, so the rest of the document renders as code."""
    for diag in tutorial.diagnostics:
        if diag.code == UNCLOSED_FENCE:
            yield Hit(diag.pos, diag.message, diag.hint)


@rule(UNKNOWN_FENCE_LANGUAGE, Severity.WARNING)
def unknown_fence_language(tutorial: Tutorial, corpus: Corpus) -> Iterator[Hit]:
    """A code fence is tagged with a language no renderer knows (often a typo: `jsn`, `shel`).

    The languages are those highlight.js, Prism, Shiki and Pygments know (with their usual
    aliases); a MyST directive fence (```` ```{code-block} bash ````) counts by its language.
    """
    for step in tutorial.steps:
        for block in step.blocks:
            if block.lang.startswith("{"):
                continue  # a MyST directive (`{toctree}`, `{math}`), not a language
            if block.fenced and tutorial.form == "markdown" and block.lang not in KNOWN_LANGUAGES:
                close = difflib.get_close_matches(block.lang, sorted(KNOWN_LANGUAGES - {""}), 1)
                hint = f"did you mean `{close[0]}`?" if close else "use json, shell or http"
                yield Hit(block.pos, f"unknown code fence language `{block.lang}`", hint)
