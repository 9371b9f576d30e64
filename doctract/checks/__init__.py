"""Static rules. Importing this package registers every generic rule in `registry.RULES`;
a profile's rules are registered when the profile is loaded (`doctract.profile`)."""

from doctract.checks import (  # noqa: F401  (imported for registration)
    contract,
    dynamic,
    endpoints,
    ids,
    placeholders,
    requests,
    syntax,
    tables,
)
from doctract.checks.registry import RULES, Hit, Rule, rule

__all__ = ["RULES", "Hit", "Rule", "rule"]
