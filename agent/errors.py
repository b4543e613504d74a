"""One error root for the qualification core.

QualifyError
├── LibraryError            a library file is missing or invalid (names file, entry, field)
├── EnrichmentError         one provider failed; the waterfall records it and goes on
│   └── SuffixListMissing       tldextract's bundled Public Suffix List is not installed (enrichment.suffixes)
├── JudgeError              a judge could not answer
│   ├── RetryableJudgeError     endpoint down, 429, 5xx, timeout: the lead may be retried
│   ├── PermanentJudgeError     401/403/404, bad configuration: retrying will not help
│   └── BudgetExceededError     the spend cap stops new calls; the lead waits
└── TranscriptError         a transcript cannot be parsed (names the line or cue)
"""

from __future__ import annotations


from library.errors import LibraryError, QualifyError  # noqa: F401  (re-exported: the root lives below the layers)


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
