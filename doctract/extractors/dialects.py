"""MDX and MyST containers, unwrapped so that CommonMark sees the code blocks they hold.

Doc sites wrap code in containers CommonMark does not know: MDX components (`<CodeGroup>`,
`<Tabs>`, `<Tab title="cURL">`), MyST directive fences (```` ```{tab-set} ````, `{tab}`,
`{note}`) and colon fences (`:::note` ... `:::`, `::::{tab-set}` with nested `:::{tab-item}`).
Left as they are, an MDX tag line starts an HTML block that swallows the fence right below it,
an indented fence inside a component becomes an indented code block, and a directive fence is
one opaque code block. `unwrap` turns each container's opening and closing lines (and its
`:option:` lines) into blank lines and removes the container's indentation from its content,
so the inner fences parse as the fences they are. The result has the same number of lines as
the input, and content lines only lose leading whitespace, so every line and column found in it
maps back to the original file.

A MyST code directive (```` ```{code-block} bash ````, `:::{code} json`) stays a code fence;
`directive_language` reads its language and `directive_options` how many lines of options
open its content.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# directives whose content is code; the argument is the language
CODE_DIRECTIVES = frozenset({"code-block", "code", "sourcecode", "code-cell", "code-tab"})
# directives whose content is Markdown holding code blocks
CONTAINER_DIRECTIVES = frozenset({
    "tabs", "tab", "group-tab", "tab-set", "tab-item", "tab-set-code", "note", "warning", "tip",
    "important", "caution", "attention", "danger", "error", "hint", "seealso", "admonition",
    "dropdown", "card", "grid", "grid-item", "grid-item-card", "div", "container", "sidebar",
    "topic", "margin", "versionadded", "versionchanged", "deprecated", "only", "info",
    "details",
})
# directives whose content is neither: not code to check, not a language to flag
RAW_DIRECTIVES = frozenset({
    "toctree", "math", "mermaid", "eval-rst", "raw", "include", "literalinclude", "image",
    "figure", "csv-table", "list-table", "table", "glossary", "graphviz", "plantuml",
    "contents", "bibliography", "autodoc", "automodule", "autoclass", "autofunction",
    "jupyter-execute", "embed", "glue", "prf:proof", "button-link", "button-ref", "iframe",
    "video", "openapi", "swagger", "rubric", "epigraph", "highlight", "blockquote",
})

_FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})(.*)$")
_COLON_FENCE = re.compile(r"^(\s*)(:{3,})\s*(\{[\w:.-]+\}|[A-Za-z][\w-]*)(.*)$")
_DIRECTIVE = re.compile(r"^\{([\w:.-]+)\}\s*(.*)$")
_OPTION = re.compile(r"^\s*:[\w.-]+:(?:\s.*)?$")
# an MDX component alone on its line: `<Tabs>`, `</Tab>`, `<Tab title="cURL">`, `<Note />`
_JSX_TAG = re.compile(r"^\s*<(/?)([A-Z][\w.]*)(?:\s[^<>]*?)?\s*(/?)>\s*$")
_JSX_TAG_START = re.compile(r"^\s*<([A-Z][\w.]*)(?:\s[^<>]*)?$")  # continues on later lines
_MAX_TAG_LINES = 30


@dataclass
class _Container:
    name: str
    closer: int | None  # the line that closes it (fences); None for MDX (closed by its tag)
    indent: int | None = None  # the indentation of its content, from its first content line


def directive_language(info: str) -> str | None:
    """The language of a fence's info string when it is a MyST directive: the argument of a
    code directive (`{code-block} bash` -> "bash"), `{name}` for a directive whose content is
    not code; None when the info string is no directive doctract knows."""
    m = _DIRECTIVE.match(info.strip())
    if m is None:
        return None
    name = m.group(1).lower()
    if name in CODE_DIRECTIVES:
        arg = m.group(2).split()
        return arg[0].lower() if arg else ""
    if name in RAW_DIRECTIVES or name in CONTAINER_DIRECTIVES:
        return "{" + name + "}"
    return None


def directive_options(content: list[str]) -> int:
    """How many lines open a code directive's content with options (`:caption: x`,
    `:linenos:`, or a `---` YAML block) and the blank line after them."""
    i = 0
    if content and content[0].strip() == "---":
        end = next((k for k in range(1, len(content)) if content[k].strip() == "---"), None)
        if end is not None:
            i = end + 1
    while i < len(content) and _OPTION.match(content[i]):
        i += 1
    if i and i < len(content) and not content[i].strip():
        i += 1
    return i


# a line that may open or close a container: most documents have none, and are left as they are
# (searched for after a "\n", which the search finds faster than a MULTILINE `^`)
_CONTAINER_SIGN = re.compile(r"\n[ \t]*(?::{3,}|(?:`{3,}|~{3,})[ \t]*\{|</?[A-Z])")


def unwrap(lines: list[str], start: int = 0) -> list[str]:
    """The lines with MDX and MyST containers unwrapped (see the module docstring)."""
    if not _CONTAINER_SIGN.search("\n" + "\n".join(lines[start:])):
        return list(lines)
    out = list(lines)
    n = len(lines)
    stack: list[_Container] = []
    code: tuple[str, int] | None = None  # the open code fence's character and length
    converted: dict[int, str] = {}  # colon-fence closers of code directives, as backticks
    closers = _Closers(lines)
    i = start
    while i < n:
        while stack and stack[-1].closer is not None and stack[-1].closer < i:
            stack.pop()  # its closing line was taken by a fence inside it
        line = _dedent(lines[i], stack)
        out[i] = line
        if code is not None:
            if i in converted:
                out[i] = converted.pop(i)
                code = None
            elif _closes(line, code[0], code[1]):
                code = None
            i += 1
            continue
        if stack and stack[-1].closer == i:
            out[i] = ""
            stack.pop()
            i += 1
            continue
        stripped = line.lstrip()
        if stripped.startswith("<!--"):
            i = _skip_comment(lines, i)
            continue
        fence = _FENCE.match(line)
        if fence is not None:
            char, length = fence.group(2)[0], len(fence.group(2))
            info = fence.group(3).strip()
            directive = _DIRECTIVE.match(info)
            if directive is not None and directive.group(1).lower() in CONTAINER_DIRECTIVES:
                closer = closers.find(i + 1, char, length)
                if closer is not None:
                    i = _open_container(out, lines, i, directive.group(1), closer, stack)
                    continue
            code = (char, length)
            i += 1
            continue
        colon = _COLON_FENCE.match(line)
        if colon is not None:
            length = len(colon.group(2))
            closer = closers.find(i + 1, ":", length)
            name = colon.group(3).strip("{}").lower()
            if closer is not None:
                if name in CODE_DIRECTIVES or name in RAW_DIRECTIVES:
                    out[i] = line.replace(":" * length, "`" * length, 1)
                    converted[closer] = "`" * length
                    code = ("`", length)
                    i += 1
                else:
                    i = _open_container(out, lines, i, name, closer, stack)
                continue
        tag = _JSX_TAG.match(line)
        if tag is not None:
            out[i] = ""
            closing, name, self_closing = tag.group(1), tag.group(2), tag.group(3)
            if closing:
                _close_component(stack, name)
            elif not self_closing:
                stack.append(_Container(name, None))
            i += 1
            continue
        started = _JSX_TAG_START.match(line)
        if started is not None:
            end = _tag_end(lines, i)
            if end is not None:
                for k in range(i, end + 1):
                    out[k] = ""
                if not lines[end].rstrip().endswith("/>"):
                    stack.append(_Container(started.group(1), None))
                i = end + 1
                continue
        i += 1
    return out


def _dedent(line: str, stack: list[_Container]) -> str:
    if not stack or not line.strip():
        return line
    top = stack[-1]
    indent = len(line) - len(line.lstrip())
    if top.indent is None:
        top.indent = indent
    return line[min(indent, top.indent):]


def _closes(line: str, char: str, length: int) -> bool:
    text = line.strip()
    return len(text) >= length and set(text) == {char}


class _Closers:
    """Finds the line closing a fence opened just before `start`: the first line of at least
    `length` of the fence's character and nothing else, or None when it is never closed.
    Remembers each search, so a document of unclosed openers is still read in linear time."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.last: dict[tuple[str, int], tuple[int, int | None]] = {}

    def find(self, start: int, char: str, length: int) -> int | None:
        seen = self.last.get((char, length))
        if seen is not None:
            searched_from, found = seen
            if searched_from <= start and (found is None or start <= found):
                return found
        found = next(
            (k for k in range(start, len(self.lines)) if _closes(self.lines[k], char, length)),
            None,
        )
        self.last[(char, length)] = (start, found)
        return found


def _open_container(out: list[str], lines: list[str], i: int, name: str, closer: int,
                    stack: list[_Container]) -> int:
    """Blank a container's opening line and its option lines; the next line to read."""
    out[i] = ""
    stack.append(_Container(name, closer))
    i += 1
    while i < closer and _OPTION.match(lines[i]):
        out[i] = ""
        i += 1
    return i


def _close_component(stack: list[_Container], name: str) -> None:
    """Close the innermost open MDX component of that name (and any left open inside it)."""
    for k in range(len(stack) - 1, -1, -1):
        if stack[k].closer is None and stack[k].name == name:
            del stack[k:]
            return


def _tag_end(lines: list[str], i: int) -> int | None:
    """The line ending an MDX opening tag that spans lines (`<Card\\n  title="x"\\n>`)."""
    for k in range(i + 1, min(len(lines), i + _MAX_TAG_LINES)):
        text = lines[k].rstrip()
        if "<" in text:
            return None
        if text.endswith(">"):
            return k
    return None


def _skip_comment(lines: list[str], i: int) -> int:
    """The line after an HTML comment (hidden code in it stays hidden, as CommonMark hides
    it)."""
    for k in range(i, len(lines)):
        if "-->" in lines[k]:
            return k + 1
    return len(lines)
