"""Names that hold credentials: HTTP headers, query and form parameters, body keys, and the
placeholders whose values are public (whatever else a placeholder resolves to is secret).

A name alone decides nothing about values elsewhere: `doctract.secrets.values` collects the
values, `doctract.secrets.shapes` recognises credentials by their look.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from functools import lru_cache

# headers that carry credentials whatever the API (a contract's security schemes add more)
CREDENTIAL_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "cookie",
        "set-cookie",
        "x-auth-token",
        "x-api-key",
        "api-key",
        "apikey",
        "x-gw-ims-org-id",
    }
)
_HEADER = re.compile(r"-(?:token|key)$|secret", re.IGNORECASE)

# query and form parameters that carry credentials (a contract's security schemes add more)
CREDENTIAL_PARAMS = frozenset(
    {
        "access_token",
        "api_key",
        "apikey",
        "client_secret",
        "sig",
        "signature",
        "token",
        "password",
        "passwd",
        "refresh_token",
        "id_token",
        "assertion",
        "client_assertion",
        "x-amz-signature",
        "x-amz-security-token",
    }
)

# body keys (JSON properties, form fields, query parameters) whose values are credentials
_KEY = re.compile(
    r"pass(?:word|wd|phrase)?(?![a-z])|passw|secret|token|api.?key|credential|imsorg|^auth$|"
    r"private.?key|access.?key|account.?key|signature|^sig$|connection.?string|^cookie$",
    re.IGNORECASE,
)
# ... except these, which only talk about credentials
_NOT_KEY = re.compile(
    r"^token.?type$|(?:count|type|enabled|required|policy|expires?(?:.?(?:in|at))?|url|uri)$",
    re.IGNORECASE,
)

# environment variables that hold secrets whatever a doc calls them (a CI token, say)
SECRET_ENV = re.compile(r"TOKEN|SECRET|PASS|API_?KEY|CREDENTIAL|AUTH|PRIVATE|ORG", re.IGNORECASE)

# placeholders that are public without being declared: the ids and names tutorials pass from
# step to step, hosts and URLs (a credential in a URL is still scrubbed by its look), and the
# usual knobs; never one whose name speaks of a credential
_PUBLIC = re.compile(
    r"(?:^|_)(?:IDS?|UIDS?|NAME|URL|HOST|PORT|PATH|REGION|LOCALE|LANG|LANGUAGE|VERSION|LIMIT|"
    r"OFFSET|PAGE|SIZE|COUNT|TYPE|FORMAT|MODE|ENV|ENVIRONMENT|STAGE|SANDBOX|SCHEMA|DATASET|"
    r"INDEX|FIELD|ATTRIBUTE|DATE|TIME|TIMESTAMP)$",
    re.IGNORECASE,
)
_NEVER_PUBLIC = re.compile(
    r"TOKEN|SECRET|PASS|PWD|KEY|CREDENTIAL|AUTH|PRIVATE|ORG|SIG|SAS|COOKIE|SESSION|CERT|DSN|"
    r"CONNECTION_STRING|USERNAME|^(?:CLIENT|TENANT|ACCOUNT|USER|SUBSCRIPTION|APP)_(?:IDS?|NAME)$",
    re.IGNORECASE,
)


def is_secret_header(name: str, extra: Collection[str] = ()) -> bool:
    """Authorization, Proxy-Authorization, Cookie, Set-Cookie, X-Auth-Token, any `*-token`,
    `*-key` or `*secret*` header, and the contract's (`extra`, lower-case)."""
    low = name.strip().lower()
    return low in CREDENTIAL_HEADERS or low in extra or bool(_HEADER.search(low))


def is_secret_param(name: str, extra: Collection[str] = ()) -> bool:
    """A query or form parameter that carries a credential."""
    low = name.strip().lower()
    return low in CREDENTIAL_PARAMS or name in extra or low in extra or is_secret_key(name)


def is_secret_key(name: str, extra: Collection[str] = ()) -> bool:
    """A body key whose value is a credential (`password`, `accessToken`, `clientSecret`,
    `Authorization`, ...) or one the contract marks secret (`extra`)."""
    return name in extra or _secret_key_name(name)


@lru_cache(maxsize=8192)
def _secret_key_name(name: str) -> bool:
    """The name-only part of is_secret_key (bodies repeat their keys: asked once per key)."""
    if _NOT_KEY.search(name):
        return False
    return bool(_KEY.search(name)) or name.lower() in CREDENTIAL_HEADERS


def placeholder_key(name: str) -> str:
    """`indexUid` -> `INDEX_UID`, `client-secret` -> `CLIENT_SECRET`."""
    snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)
    return re.sub(r"[^A-Za-z0-9]+", "_", snake).strip("_").upper()


def is_public_placeholder(name: str, declared: Collection[str] = ()) -> bool:
    """Declared public (`public-placeholders`), or an id, name, URL or the like by its name."""
    key = placeholder_key(name)
    if name in declared or key in {placeholder_key(d) for d in declared}:
        return True
    return bool(_PUBLIC.search(key)) and not _NEVER_PUBLIC.search(key)
