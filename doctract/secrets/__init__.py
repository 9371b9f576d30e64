"""Secrets never reach a file doctract writes nor its output.

What is secret: every value a placeholder resolves to from the configuration or the
environment unless the placeholder is public (`public-placeholders`, and ids, names and URLs by
their names), secret-looking environment variables, values under credential names (headers,
query and form parameters, body keys, the contract's security schemes and secret fields), and
credentials by their look (JWTs, PEM keys, `AccountKey=`, long high-entropy tokens). One
`Scrubber` holds what a run knows and every writer passes its data and its final text
through it.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Iterable, Mapping
from typing import TYPE_CHECKING

from doctract.contract import Secrets
from doctract.secrets.scrubber import NO_SECRETS, Scrubber, ScrubberSource
from doctract.secrets.shapes import SCRUBBED
from doctract.secrets.values import secret_values

if TYPE_CHECKING:
    from doctract.config import Config

__all__ = [
    "NO_SECRETS",
    "SCRUBBED",
    "Scrubber",
    "ScrubberSource",
    "for_config",
    "from_environment",
]


def from_environment(
    placeholders: Mapping[str, str] | None = None,
    public: Collection[str] = (),
    names: Iterable[str] = (),
    secret_names: Secrets | None = None,
    env: Mapping[str, str] | None = None,
) -> Scrubber:
    """The scrubber for the configured placeholders' values (`placeholders`, less the
    `public` ones) and the environment's (`names`: the placeholders a doc set uses)."""
    values = secret_values(os.environ if env is None else env, placeholders, public, names)
    return Scrubber(values, secret_names or Secrets())


def for_config(
    config: Config, names: Iterable[str] = (), secret_names: Secrets | None = None
) -> Scrubber:
    """The scrubber for a configuration's placeholders and the environment."""
    return from_environment(config.placeholders, config.public_placeholders, names, secret_names)
