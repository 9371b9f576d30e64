"""Reading a document: only a regular file, never more than the size limit, UTF-8 text only;
anything else is a read-error finding (at the place the decoding failed, where it did)."""

from __future__ import annotations

import os
import stat

from doctract.findings import Finding, Severity
from doctract.lines import position
from doctract.rule_ids import READ_ERROR


def file_error(rule: str, path: str, message: str, hint: str) -> Finding:
    """A finding about a whole file (at its first line), for the file-level rules."""
    return Finding(rule, Severity.ERROR, path, 1, 1, message, hint)


class _NotRegular(Exception):
    pass


class _TooLarge(Exception):
    def __init__(self, size: int, limit: int) -> None:
        super().__init__(size, limit)
        self.size = size
        self.limit = limit


_CHUNK = 1 << 20


def _read_regular(path: str, max_size: int | None) -> bytes:
    """Open without blocking (a FIFO would wait for a writer), check the opened file is regular,
    then read in chunks up to max_size + 1 bytes: a file growing, or lying about its size, still
    stops at the limit."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise _NotRegular
        if max_size is not None and info.st_size > max_size:
            raise _TooLarge(info.st_size, max_size)
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        limit = None if max_size is None else max_size + 1
        chunks: list[bytes] = []
        total = 0
        while limit is None or total < limit:
            want = _CHUNK if limit is None else min(_CHUNK, limit - total)
            chunk = os.read(fd, want)
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if max_size is not None and total > max_size:
            raise _TooLarge(total, max_size)
        return b"".join(chunks)
    finally:
        os.close(fd)


def read_document(path: str, max_size: int | None = None) -> tuple[str | None, Finding | None]:
    """The text of a document: only a regular file (after links are resolved) is read, never a
    FIFO, device or socket, and never more than max_size + 1 bytes whatever size it reports."""
    try:
        data = _read_regular(path, max_size)
    except _NotRegular:
        return None, file_error(
            READ_ERROR,
            path,
            "cannot read the file: not a regular file (a FIFO, device or socket)",
            "lint documents only; exclude it in the configuration",
        )
    except _TooLarge as exc:
        return None, file_error(
            READ_ERROR,
            path,
            f"the file is {exc.size / 2**20:.1f} MB, over the {exc.limit / 2**20:g} MB limit",
            "split it, or raise max-file-size in the configuration",
        )
    except OSError as exc:
        return None, Finding(
            READ_ERROR,
            Severity.ERROR,
            path,
            1,
            1,
            f"cannot read the file: {exc.strerror or exc}",
            "",
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        prefix = data[: exc.start].decode("utf-8-sig", "replace")
        line = position(prefix, len(prefix))[0]
        col = exc.start - max(data.rfind(b"\n", 0, exc.start), data.rfind(b"\r", 0, exc.start))
        return None, Finding(
            READ_ERROR,
            Severity.ERROR,
            path,
            line,
            col,
            "the file is not UTF-8 text",
            "save it as UTF-8",
        )
    if "\x00" in text:
        line = position(text, text.index("\x00"))[0]
        return None, Finding(
            READ_ERROR,
            Severity.ERROR,
            path,
            line,
            1,
            "the file contains NUL bytes: it is binary, not a document",
            "",
        )
    return text, None
