"""An error an emulator answers with. Its body takes the contract's error shape (the generic
engine, `doctract.emulator.answers`) or the API's own (a profile's hooks: the Flow Service's
in `doctract.profiles.flow_service.emulator`)."""

from __future__ import annotations


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
