"""Operations from an OpenAPI document (already in JSON Schema 2020-12, see `dialect`)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from doctract.contract.dialect import METHODS, opaque_templates, operations
from doctract.contract.model import Credential, Media, Operation, Parameter
from doctract.contract.pointers import follow, pointer


def _all_servers(document: dict[str, Any]) -> list[Any]:
    """The document's servers, and those path items and operations declare for themselves."""
    servers = list(document.get("servers") or [])
    for item in (document.get("paths") or {}).values():
        if not isinstance(item, dict):
            continue
        servers += item.get("servers") or []
        for op in item.values():
            if isinstance(op, dict):
                servers += op.get("servers") or []
    return servers


def server_bases(document: dict[str, Any]) -> tuple[tuple[str | None, str], ...]:
    """(host or None, base path) of each server (path- and operation-level ones included);
    variables take their enum values, else their defaults."""
    found: dict[tuple[str | None, str], None] = {}
    for server in _all_servers(document) or [{"url": "/"}]:
        if not isinstance(server, dict):
            continue
        for url in _expand(str(server.get("url", "/")), server.get("variables") or {}):
            if "//" in url:
                parts = urlsplit(url)
                host, base = parts.hostname, parts.path.rstrip("/")
            else:
                host, base = None, "/" + url.strip("/") if url.strip("/") else ""
            found[(host, base)] = None
    return tuple(found) or ((None, ""),)


def _expand(url: str, variables: dict[str, Any]) -> list[str]:
    """Every URL a server's variables allow (their enums, else their defaults); past 256
    combinations, only the defaults."""
    urls = [url]
    for name, var in variables.items():
        if not isinstance(var, dict):
            continue
        values = var.get("enum") or [var.get("default", "")]
        urls = list(
            dict.fromkeys(u.replace("{" + str(name) + "}", str(v)) for u in urls for v in values)
        )
        if len(urls) > 256:
            default = url
            for other, spec in variables.items():
                if isinstance(spec, dict):
                    default = default.replace("{" + str(other) + "}", str(spec.get("default", "")))
            return [default]
    return urls


def security_schemes(document: dict[str, Any]) -> dict[str, Credential]:
    schemes = (document.get("components") or {}).get("securitySchemes") or {}
    found: dict[str, Credential] = {}
    for name, raw in schemes.items():
        scheme, _ = follow(document, raw, pointer("components", "securitySchemes", name))
        if not isinstance(scheme, dict):
            continue
        kind = str(scheme.get("type", ""))
        if kind == "apiKey":
            found[name] = Credential(
                name, str(scheme.get("in", "header")), str(scheme.get("name", "")), "apiKey"
            )
        elif kind == "http":
            http = str(scheme.get("scheme", "bearer")).lower()
            prefix = {"bearer": "Bearer", "basic": "Basic", "digest": "Digest"}.get(http, "")
            found[name] = Credential(name, "header", "Authorization", http, prefix)
        elif kind in ("oauth2", "openIdConnect"):
            found[name] = Credential(name, "header", "Authorization", kind, "Bearer")
    return found


def build_operations(document: dict[str, Any], api: str) -> tuple[Operation, ...]:
    schemes = security_schemes(document)
    default_security = document.get("security")
    built = []
    for template in opaque_templates(document):
        for method in METHODS:
            built.append(Operation(api, method.upper(), _normal(template), opaque=True))
    for template, method, item, op in operations(document):
        where = pointer("paths", template, method.lower())
        params: dict[tuple[str, str], Parameter] = {}
        for scope, raw_list in ((pointer("paths", template), item), (where, op)):
            for index, raw in enumerate(raw_list.get("parameters") or []):
                param, _ = follow(document, raw, f"{scope}/parameters/{index}")
                if not isinstance(param, dict) or "name" not in param:
                    continue
                p = Parameter(
                    str(param["name"]),
                    str(param.get("in", "query")),
                    bool(param.get("required")) or param.get("in") == "path",
                    param.get("schema"),
                )
                params[(p.location, p.key)] = p  # operation-level parameters win
        body, body_required = _body(document, op, where)
        security = op.get("security", default_security)
        built.append(
            Operation(
                api=api,
                method=method,
                template=_normal(template),
                operation_id=str(op.get("operationId", "")),
                parameters=tuple(params.values()),
                body=body,
                body_required=body_required,
                responses=_responses(document, op, where),
                security=_security(security, schemes),
                pointer=where,
                links=_links(document, op, where),
                response_headers=_response_headers(document, op, where),
            )
        )
    return tuple(built)


def _normal(template: str) -> str:
    return "/" + template.strip("/") if template.strip("/") else "/"


def _body(
    document: dict[str, Any], op: dict[str, Any], where: str
) -> tuple[tuple[Media, ...], bool]:
    if "requestBody" not in op:
        return (), False
    body, body_at = follow(document, op["requestBody"], where + "/requestBody")
    if not isinstance(body, dict):
        return (), False
    return _media(body, body_at), bool(body.get("required"))


def _media(obj: dict[str, Any], at: str) -> tuple[Media, ...]:
    content = obj.get("content") or {}
    return tuple(
        Media(
            str(media), f"{at}{pointer('content', str(media))}/schema" if "schema" in spec else None
        )
        for media, spec in content.items()
        if isinstance(spec, dict)
    )


def _responses(
    document: dict[str, Any], op: dict[str, Any], where: str
) -> tuple[tuple[str, tuple[Media, ...]], ...]:
    found = []
    for code, raw in (op.get("responses") or {}).items():
        response, at = follow(document, raw, f"{where}{pointer('responses', str(code))}")
        found.append((str(code), _media(response, at) if isinstance(response, dict) else ()))
    return tuple(found)


def _response_headers(
    document: dict[str, Any], op: dict[str, Any], where: str
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The header names (lower case) each response declares: `ETag`, `Location`, ..."""
    found = []
    for code, raw in (op.get("responses") or {}).items():
        response, _ = follow(document, raw, f"{where}{pointer('responses', str(code))}")
        headers = response.get("headers") if isinstance(response, dict) else None
        if isinstance(headers, dict) and headers:
            found.append((str(code), tuple(sorted(str(name).lower() for name in headers))))
    return tuple(found)


def _security(
    requirement: Any, schemes: dict[str, Credential]
) -> tuple[tuple[Credential, ...], ...]:
    """Alternatives of credentials; an empty alternative (`{}`) means anonymous is allowed,
    so nothing is required."""
    if not isinstance(requirement, list):
        return ()
    alternatives = []
    for alternative in requirement:
        if not isinstance(alternative, dict) or not alternative:
            return ()
        creds = tuple(schemes[name] for name in alternative if name in schemes)
        if creds:
            alternatives.append(creds)
    return tuple(alternatives)


def _links(document: dict[str, Any], op: dict[str, Any], where: str) -> tuple[tuple[str, str], ...]:
    """(parameter, response body field) pairs that links of success responses declare:
    `{"connectionId": "$response.body#/id"}` says the id created here is a connectionId."""
    pairs: list[tuple[str, str]] = []
    for code, raw in (op.get("responses") or {}).items():
        if not str(code).startswith("2"):
            continue
        response, _ = follow(document, raw, where)
        if not isinstance(response, dict):
            continue
        for link_raw in (response.get("links") or {}).values():
            link, _ = follow(document, link_raw, where)
            params = link.get("parameters") if isinstance(link, dict) else None
            for name, expr in (params or {}).items():
                if isinstance(expr, str) and expr.startswith("$response.body#/"):
                    pair = (str(name), expr.removeprefix("$response.body#/"))
                    if pair not in pairs:
                        pairs.append(pair)
    return tuple(pairs)
