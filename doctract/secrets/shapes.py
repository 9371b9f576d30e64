"""Credentials recognised by their look, whatever key or header they sit under: JWTs,
PEM private keys, connection strings' keys (`AccountKey=`), long high-entropy tokens; and the
placeholders that stand for a value and are never scrubbed."""

from __future__ import annotations

import math
import re
from collections import Counter
from functools import lru_cache

from doctract.urls import ANY_PLACEHOLDER, HEX_ID, UUID

SCRUBBED = "<SCRUBBED>"

# a JSON Web Token (or any base64url JSON object: `{"` encodes as `eyJ`), signed or not
JWT = re.compile(r"(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,}={0,2}(?:\.[A-Za-z0-9_=-]+){0,2}")
# a PEM block whose label names a key (`PRIVATE KEY`, `RSA PRIVATE KEY`, `ENCRYPTED ...`)
PEM = re.compile(
    r"(?P<begin>-----BEGIN (?P<label>[A-Z0-9 ]*(?:KEY|PRIVATE|ENCRYPTED)[A-Z0-9 ]*)-----)"
    r"(?P<body>.*?)(?P<end>-----END (?P=label)-----)",
    re.DOTALL,
)
# ... and one cut before its end (an excerpt): the base64 that follows the BEGIN line
PEM_CUT = re.compile(
    r"(?P<begin>-----BEGIN [A-Z0-9 ]*(?:KEY|PRIVATE|ENCRYPTED)[A-Z0-9 ]*-----)"
    r"(?P<body>(?:[A-Za-z0-9+/=\s]|\\[nr])+)"
)
# `AccountKey=...;` and the like in connection strings, SAS URLs and challenges
KEYED = re.compile(
    r"(?i)(?<![A-Za-z0-9_])(?P<name>AccountKey|SharedAccessKey|SharedAccessSignature|"
    r"AccessKey|SecretKey|ClientSecret|Password|Pwd)=(?P<value>(?![{<$])[^;&\s\"'<>,\\]+)"
)
KEYED_NAMES = (
    *("accountkey", "sharedaccesskey", "sharedaccesssignature", "accesskey", "secretkey"),
    *("clientsecret", "password", "pwd"),
)
_TOKEN = re.compile(r"[A-Za-z0-9+/=_.~-]{20,}")
MIN_TOKEN = 20
# bits per character (at most 92% of what the length allows): random base62 has more, words
# and CamelCase names less
MIN_ENTROPY = 4.3


def is_placeholder(text: str) -> bool:
    """`{NAME}`, `{{NAME}}`, `<NAME>`, `$NAME`, `YOUR_NAME`, or already scrubbed."""
    text = text.strip().strip("'\"")
    return text == SCRUBBED or bool(ANY_PLACEHOLDER.fullmatch(text))


def without_placeholders(text: str) -> str:
    return ANY_PLACEHOLDER.sub("", text.replace(SCRUBBED, ""))


def entropy(text: str) -> float:
    counts = Counter(text)
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


def high_entropy(value: str) -> bool:
    """A long random-looking token, or one in a path: 20+ token characters (between slashes)
    mixing upper and lower case and digits, with high entropy. Ids (UUIDs, hex) are left out
    first, so paths and queries that hold them are not tokens; words and CamelCase names have
    too little entropy."""
    if not _TOKEN.fullmatch(value):
        return False
    rest = HEX_ID.sub("/", UUID.sub("/", value))
    return any(_random(part) for part in rest.split("/"))


def _random(part: str) -> bool:
    if len(part) < MIN_TOKEN or not (
        any(c.islower() for c in part)
        and any(c.isupper() for c in part)
        and any(c.isdigit() for c in part)
    ):
        return False
    return entropy(part) >= min(MIN_ENTROPY, 0.92 * math.log2(len(part)))


@lru_cache(maxsize=8192)  # a replay meets the same values in body after body
def looks_secret(value: str) -> bool:
    """A whole value that is a credential by its look."""
    value = value.strip()
    return bool(
        JWT.fullmatch(value)
        or PEM.search(value)
        or PEM_CUT.search(value)
        or KEYED.search(value)
        or high_entropy(value)
    )


def _mask_lines(body: str) -> str:
    """Each line of a PEM body becomes SCRUBBED, real and `\\n`-escaped line breaks kept (so
    excerpts keep their line numbers)."""
    parts = re.split(r"(\\[nr]|\r\n|[\r\n])", body)
    return "".join(part if i % 2 or not part.strip() else SCRUBBED for i, part in enumerate(parts))


def mask_shapes(text: str) -> str:
    """`text` with JWTs, PEM key blocks and connection-string keys replaced."""
    if "-----BEGIN " in text:
        text = PEM.sub(lambda m: m["begin"] + _mask_lines(m["body"]) + m["end"], text)
        text = PEM_CUT.sub(lambda m: m["begin"] + _mask_lines(m["body"]), text)
    if "eyJ" in text:
        text = JWT.sub(SCRUBBED, text)
    if not may_contain(text, "=") or not may_contain_word(text, KEYED_NAMES):
        return text
    return KEYED.sub(lambda m: f"{m['name']}={SCRUBBED}", text)


def may_contain(text: str, *literals: str) -> bool:
    """Whether every literal is in the text: a pattern that needs them cannot match without."""
    return all(literal in text for literal in literals)


def may_contain_word(text: str, lower_words: tuple[str, ...]) -> bool:
    """Whether a case-insensitive pattern made of these (lower-case, ASCII) words may match:
    a plain search in ASCII text; any other text may match (Unicode case folding maps more
    characters onto ASCII letters than lower() shows), so the pattern runs."""
    if not text.isascii():
        return True
    lower = text.lower()
    return any(word in lower for word in lower_words)
