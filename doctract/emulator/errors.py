"""The emulator's one error shape: `{type, title, status, detail, errors?}` as JSON."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any


class ApiError(Exception):
    """An error the API answers with; `errors` lists one entry per schema violation."""

    def __init__(
        self,
        status: int,
        detail: str,
        errors: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = errors or []
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        title = HTTPStatus(self.status).phrase
        body: dict[str, Any] = {
            "type": f"https://ns.adobe.com/aep/errors/FLOW-{self.status}",
            "title": title,
            "status": self.status,
            "detail": self.detail,
        }
        if self.errors:
            body["errors"] = self.errors
        return body
