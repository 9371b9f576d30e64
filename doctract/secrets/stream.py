"""Output as a file: a text stream that passes everything written to it through a scrubber,
so that nothing doctract prints (reports, progress, log lines, tracebacks) holds a secret."""

from __future__ import annotations

import io
from typing import TextIO, cast

from doctract.secrets.scrubber import Scrubber


class ScrubbingStream(io.TextIOBase):
    """Writes `scrubber.text(text)` to `out`; a terminal stays a terminal (colours, sizes)."""

    def __init__(self, out: TextIO, scrubber: Scrubber) -> None:
        super().__init__()
        self.out = out
        self.scrubber = scrubber

    def write(self, text: str) -> int:
        self.out.write(self.scrubber.text(text))
        return len(text)

    def flush(self) -> None:
        self.out.flush()

    def isatty(self) -> bool:
        return self.out.isatty()

    def fileno(self) -> int:
        return self.out.fileno()

    def writable(self) -> bool:
        return True

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self.out, "encoding", None) or "utf-8"

    @property
    def errors(self) -> str | None:  # type: ignore[override]
        return getattr(self.out, "errors", None)


def scrubbing(out: TextIO | ScrubbingStream, scrubber: Scrubber) -> TextIO:
    """`out` behind the scrubber (not wrapped twice)."""
    inner = out.out if isinstance(out, ScrubbingStream) else out
    return cast(TextIO, ScrubbingStream(inner, scrubber))
