"""The project root, so that results do not depend on the current folder.

The root is the configuration file's folder, else the git work tree's top (the nearest folder
upwards holding `.git`), else the current folder. Cassette names and the doc paths written into
generated features are relative to it, and the baseline lives there.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from doctract.config import Config


def git_root(start: Path) -> Path | None:
    """The nearest folder from `start` upwards that holds `.git` (a folder, or a file in a
    linked work tree or submodule)."""
    for folder in [start, *start.parents]:
        if (folder / ".git").exists():
            return folder
    return None


def project_root(config: Config | None = None, start: Path | None = None) -> Path:
    if config is not None and config.source:
        return Path(config.source).parent.resolve()
    here = (start or Path.cwd()).resolve()
    return git_root(here) or here


def root_relative(path: str, root: Path) -> str:
    """A doc's path (absolute, or relative to the current folder) relative to the project root,
    with / separators; a path outside the root stays as given."""
    absolute = Path(os.path.abspath(path))
    try:
        return absolute.relative_to(root.resolve()).as_posix()
    except ValueError:
        return Path(path).as_posix()


def cassette_name(doc_path: str, root: Path | None = None) -> str:
    """`examples/docs/a/b.md` -> `examples__docs__a__b`: the doc's path relative to the project
    root (a relative `doc_path` already is: generated features hold root-relative paths)."""
    path = Path(doc_path)
    if path.is_absolute() and root is not None:
        path = Path(root_relative(doc_path, root))
    return flat_name(path.with_suffix("").as_posix().strip("./"))


MAX_NAME = 120  # file systems refuse names over 255 bytes; leave room for suffixes


def flat_name(relative: str) -> str:
    """One file name for a doc's root-relative path (no suffix): its folders joined with `__`
    (`examples/docs/a` -> `examples__docs__a`). Unique and bounded: a path whose parts hold
    `__` themselves (`docs/a__b` would meet `docs/a/b`) or whose name would be too long gets
    a short hash of the whole path instead of the ambiguous or cut part."""
    parts = [p for p in relative.split("/") if p]
    joined = "__".join(parts)
    if len(joined.encode("utf-8")) <= MAX_NAME and not any("__" in p for p in parts):
        return joined
    digest = hashlib.sha1(relative.encode("utf-8")).hexdigest()[:10]
    head = joined.encode("utf-8")[: MAX_NAME - 11].decode("utf-8", "ignore").rstrip("_-")
    return f"{head}-{digest}"
