"""The error root and the library's own error, at the bottom of the layers: `library/` imports nothing from `agent/`,
and `agent.errors` re-exports both."""

from __future__ import annotations


class QualifyError(Exception):
    """Root of every error the core raises on purpose."""


class LibraryError(QualifyError):
    """A library file is missing or invalid; the message names the file, the entry and the field."""

    def __init__(self, message: str, *, file: str | None = None, entry: str | None = None, field: str | None = None):
        self.file, self.entry, self.field = file, entry, field
        where = ", ".join(f"{k} {v}" for k, v in (("file", file), ("entry", entry), ("field", field)) if v)
        super().__init__(f"{where}: {message}" if where else message)
