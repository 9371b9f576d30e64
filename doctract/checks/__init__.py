"""Static rules. Importing this package registers every rule in `registry.RULES`."""

from doctract.checks import (  # noqa: F401  (imported for registration)
    dynamic,
    endpoints,
    ids,
    placeholders,
    requests,
    schemas,
    syntax,
    tables,
)
from doctract.checks.registry import RULES, Hit, Rule, rule

__all__ = ["RULES", "Hit", "Rule", "rule"]
