"""The terminal format: one line a finding (`path:line:col`), its hint, and a summary."""

from __future__ import annotations

import re
from collections import Counter
from typing import TextIO

from rich.console import Console
from rich.markup import escape

from doctract.lint import LintResult

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _clean(text: str) -> str:
    """Text from a document, safe for a terminal: control characters (ANSI/OSC escapes, bell,
    carriage return...) other than newline and tab are shown as \\xNN, never sent raw."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def render_text(result: LintResult, out: TextIO) -> None:
    # no emoji codes: rich would print `doc.md:100:1` as a 100-points emoji
    console = Console(file=out, highlight=False, soft_wrap=True, emoji=False)
    for f in result.findings:
        style = _STYLE[f.severity.value]
        where = f"{escape(_clean(f.path))}:{f.line}:{f.column}"
        console.print(
            f"[bold]{where}[/]: [{style}]{f.severity.value}[/] "
            f"[dim]{f.rule}[/] {escape(_clean(f.message))}"
        )
        if f.hint:
            console.print(f"    [green]hint:[/] {escape(_clean(f.hint))}")
    counts = Counter(f.severity.value for f in result.findings)
    files = result.files
    hidden = f" ({result.baselined} more in the baseline)" if result.baselined else ""
    if not result.findings:
        console.print(
            f"[green]No {'new ' if hidden else ''}findings[/] in "
            f"{files} file{'s' if files != 1 else ''}.{hidden}"
        )
        return
    console.print(
        f"\n{_count(len(result.findings), 'finding')} in {_count(files, 'file')}: "
        f"[bold red]{_count(counts['error'], 'error')}[/], "
        f"[yellow]{_count(counts['warning'], 'warning')}[/], "
        f"[cyan]{counts['info']} info[/]{hidden}"
    )


def _count(number: int, noun: str) -> str:
    """`1 finding`, `2 findings`."""
    return f"{number} {noun}{'' if number == 1 else 's'}"
