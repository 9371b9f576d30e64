"""A faithful local emulator of the Flow Service API, for recording cassettes and live runs."""

from doctract.emulator.app import create_app
from doctract.emulator.store import Store

__all__ = ["Store", "create_app"]
