"""The one error tree of doctract: every error a user can cause derives from DoctractError.

The command line reports a DoctractError as one line (exit status 2), never as a traceback;
anything else that escapes is a bug and reported as an internal error.
"""

from __future__ import annotations


class DoctractError(Exception):
    """An error the user can fix (bad configuration, unreadable contract, bad git ref, ...)."""


__all__ = ["DoctractError"]
