"""Local emulators to record cassettes from and run live mode against: the generic one serves
any OpenAPI contract statefully (`GenericEmulator`, `running_generic_emulator`), the Flow
Service one adds that API's business rules (`create_app`, `running_emulator`)."""

from doctract.emulator.app import create_app
from doctract.emulator.engine import GenericEmulator
from doctract.emulator.store import Store

__all__ = ["GenericEmulator", "Store", "create_app"]
