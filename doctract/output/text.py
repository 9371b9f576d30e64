"""The terminal format: one line a finding (`path:line:col`), its hint, and a summary."""

from __future__ import annotations

from collections import Counter
from typing import TextIO

from rich.console import Console
from rich.markup import escape

from doctract.lint import LintResult

_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def render_text(result: LintResult, out: TextIO) -> None:
    # no emoji codes: rich would print `doc.md:100:1` as a 100-points emoji
    console = Console(file=out, highlight=False, soft_wrap=True, emoji=False)
    for f in result.findings:
        style = _STYLE[f.severity.value]
        console.print(
            f"[bold]{escape(f.path)}:{f.line}:{f.column}[/]: [{style}]{f.severity.value}[/] "
            f"[dim]{f.rule}[/] {escape(f.message)}"
        )
        if f.hint:
            console.print(f"    [green]hint:[/] {escape(f.hint)}")
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
