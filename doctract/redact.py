"""Secret values that must never be printed: from the environment and the configuration,
found by the names they are kept under, and removed from any text before it is shown."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping

SCRUBBED = "<SCRUBBED>"
SECRET_NAME = re.compile(r"TOKEN|SECRET|PASS|API_?KEY|CREDENTIAL|AUTH|PRIVATE|ORG", re.IGNORECASE)
_BEARER = re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}")
MIN_LENGTH = 6  # shorter values ("prod", "1") would redact ordinary words


def secret_values(
    env: Mapping[str, str] | None = None, placeholders: Mapping[str, str] | None = None
) -> set[str]:
    """Values of secret-looking environment variables and placeholders."""
    env = os.environ if env is None else env
    found = {v for k, v in env.items() if SECRET_NAME.search(k) and len(v) >= MIN_LENGTH}
    found |= {
        v for k, v in (placeholders or {}).items() if SECRET_NAME.search(k) and len(v) >= MIN_LENGTH
    }
    return found


def redact(text: str, secrets: Iterable[str]) -> str:
    """`text` with every secret value, and any `Bearer ...` credential, replaced."""
    for secret in sorted(set(secrets), key=len, reverse=True):
        if secret:
            text = text.replace(secret, SCRUBBED)
    return _BEARER.sub(lambda m: f"{m.group(1)} {SCRUBBED}", text)
