"""Errors of the evals package; each names where the problem is.

QualifyError (agent.errors)
└── EvalError
    └── DatasetError        a dataset or mapping file is unusable (names file, row, column)
        └── MappingError    the column-mapping YAML itself is wrong, or asks for a leaky column
"""

from __future__ import annotations

from agent.errors import QualifyError


class EvalError(QualifyError):
    """Root of the evals package's errors."""


class DatasetError(EvalError):
    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
        problems: list[str] | None = None,
    ):
        self.file, self.row, self.column = file, row, column
        self.problems = problems or []
        where = ", ".join(f"{k} {v}" for k, v in (("file", file), ("row", row), ("column", column)) if v is not None)
        text = f"{where}: {message}" if where else message
        if self.problems:
            text += "\n" + "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(text)


class MappingError(DatasetError):
    pass
