"""The errors cvrule raises on purpose; each names the file, the place and what was expected.

    CvruleError
     ├── InputError        a file a user gave cannot be read as what it claims to be
     │    └── CaseFileError   a case file breaks the case-file contract
     ├── ParameterError    a legal parameter file is malformed or a parameter is not in force
     └── WorkspaceBusyError  another process is writing the workspace (names it)

Anything else escaping cvrule is a bug.
"""

from __future__ import annotations

__all__ = ["CaseFileError", "CvruleError", "InputError", "ParameterError", "WorkspaceBusyError"]


class CvruleError(Exception):
    """Base of every error cvrule reports to a user."""


class InputError(CvruleError):
    """A user's file cannot be read: names the file, the location in it and what was expected."""

    MAX_MESSAGE = 1000
    """Longer messages (a hostile file's value quoted back, say) are cut to this many characters."""

    def __init__(self, file: str, location: str | None, message: str):
        if len(message) > self.MAX_MESSAGE:
            message = f"{message[:self.MAX_MESSAGE]}... ({len(message):,} characters in all)"
        self.file = file
        self.location = location
        self.message = message
        where = f"{file}: {location}" if location else file
        super().__init__(f"{where}: {message}")


class CaseFileError(InputError):
    """A case file breaks the case-file contract (see DESIGN.md, "Case files")."""


class ParameterError(CvruleError):
    """A legal parameter file is malformed, or a parameter is read on a date it is not in force."""


class WorkspaceBusyError(CvruleError):
    """Another process holds the workspace for writing; the message names it (pid, command)."""
