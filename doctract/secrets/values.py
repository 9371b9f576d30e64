"""Secret values: whatever a placeholder resolves to from the configuration or the environment
(`[placeholders]`, `DOCTRACT_NAME`, `NAME`), unless the placeholder is public, and every
secret-looking environment variable. Short and ordinary values (`prod`, `10`, `staging`) are
left out: scrubbing them by value would scrub those words everywhere; they are still scrubbed
where a credential's name or look gives them away."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping

from doctract.secrets.names import SECRET_ENV, is_public_placeholder

ENV_PREFIX = "DOCTRACT_"
# doctract's own settings in the environment, not placeholders' values
SETTINGS = frozenset(
    {"DEBUG", "CHROMIUM", "REQUIRE_BROWSER", "ATHERIS_RUNS", "FUZZ_EXAMPLES", "LINK_SHA", "PACKAGE"}
)
MIN_LENGTH = 6
WORD_LENGTH = 12  # a single word or number shorter than this is no credential


def maskable(value: str) -> bool:
    """Long and distinctive enough to scrub wherever it appears."""
    value = value.strip()
    if len(value) < MIN_LENGTH:
        return False
    if (value.isalpha() or value.isdigit()) and len(value) < WORD_LENGTH:
        return False
    has_digit = any(c.isdigit() for c in value)
    has_alpha = any(c.isalpha() for c in value)
    return len(value) >= 8 or (has_digit and has_alpha)


def secret_values(
    env: Mapping[str, str],
    placeholders: Mapping[str, str] | None = None,
    public: Collection[str] = (),
    names: Iterable[str] = (),
) -> frozenset[str]:
    """The values to scrub: configured placeholders' values, `DOCTRACT_NAME` variables, the
    variables named like the placeholders `names` (those a doc set uses), each unless public;
    and secret-looking variables (`*TOKEN*`, `*SECRET*`, `*PASS*`, ...) whatever their use."""
    used = set(names)
    found = {v for k, v in (placeholders or {}).items() if not is_public_placeholder(k, public)}
    for key, value in env.items():
        if key.startswith(ENV_PREFIX):
            name = key[len(ENV_PREFIX) :]
            if name not in SETTINGS and not is_public_placeholder(name, public):
                found.add(value)
        elif (key in used and not is_public_placeholder(key, public)) or SECRET_ENV.search(key):
            found.add(value)
    return frozenset(v for v in found if maskable(v))
