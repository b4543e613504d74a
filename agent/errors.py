"""One error root for the qualification core.

    QualifyError
    ├── LibraryError            a library file is missing or invalid (names file, entry, field)
    ├── EnrichmentError         one provider failed; the waterfall records it and goes on
    ├── JudgeError              a judge could not answer
    │   ├── RetryableJudgeError     endpoint down, 429, 5xx, timeout: the lead may be retried
    │   ├── PermanentJudgeError     401/403/404, bad configuration: retrying will not help
    │   └── BudgetExceededError     the spend cap stops new calls; the lead waits
    └── TranscriptError         a transcript cannot be parsed (names the line or cue)
"""

from __future__ import annotations


class QualifyError(Exception):
    """Root of every error the core raises on purpose."""


class LibraryError(QualifyError):
    def __init__(self, message: str, *, file: str | None = None, entry: str | None = None, field: str | None = None):
        self.file, self.entry, self.field = file, entry, field
        where = ", ".join(f"{k} {v}" for k, v in (("file", file), ("entry", entry), ("field", field)) if v)
        super().__init__(f"{where}: {message}" if where else message)


class EnrichmentError(QualifyError):
    pass


class JudgeError(QualifyError):
    def __init__(self, message: str, *, attempts: int = 1, error_class: str | None = None):
        self.attempts = attempts
        self.error_class = error_class or type(self).__name__
        super().__init__(message)


class RetryableJudgeError(JudgeError):
    pass


class PermanentJudgeError(JudgeError):
    pass


class BudgetExceededError(JudgeError):
    pass


class TranscriptError(QualifyError):
    pass
