"""Local emulators to record cassettes from and run live mode against: the generic engine serves
any OpenAPI contract statefully (`GenericEmulator`, `running_generic_emulator`); the Flow
Service emulator is that engine with the Flow Service profile's rules (`create_app`,
`running_emulator`; `doctract.profiles.flow_service.emulator`)."""

from doctract.emulator.engine import GenericEmulator, Hooks
from doctract.emulator.store import Store

__all__ = ["GenericEmulator", "Hooks", "Store", "create_app"]


def create_app(deterministic: bool = False, seed_specs: bool = True) -> GenericEmulator:
    """The Flow Service emulator as an ASGI app, with a fresh in-memory store."""
    from doctract.profiles.flow_service.emulator import flow_service_emulator

    return flow_service_emulator(deterministic=deterministic, seed_specs=seed_specs)
