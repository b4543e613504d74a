"""The fitted-model file of a library (`model.json`): explicit JSON of weights or trees, versioned and checksummed.

Nothing executable is ever read (no pickle): the file is plain JSON validated against `FittedModel`. Its envelope is
`{"format": "qualify-fitted-model", "version": 2, "sha256": <hex of the canonical JSON of "model">, "model": {...}}`;
a file whose checksum or version does not match is refused with one line, so an edited or truncated model never scores.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from library.errors import LibraryError
from library.schemas import FittedModel

FILE_NAME, FORMAT, VERSION = "model.json", "qualify-fitted-model", 2


def _canonical(model: dict[str, Any]) -> bytes:
    return json.dumps(model, sort_keys=True, separators=(",", ":"), allow_nan=False).encode()


def dumps(model: FittedModel) -> str:
    """The file text of `model`: its envelope with format, version and checksum."""
    body = model.model_dump(mode="json", exclude_none=True)
    envelope = {
        "format": FORMAT,
        "version": VERSION,
        "sha256": hashlib.sha256(_canonical(body)).hexdigest(),
        "model": body,
    }
    return json.dumps(envelope, indent=1, allow_nan=False) + "\n"


def write(library_dir: Path, model: FittedModel) -> Path:
    """Write library_dir/model.json atomically (a half-written file never replaces a good one)."""
    path = Path(library_dir) / FILE_NAME
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(dumps(model), encoding="utf-8")
    tmp.replace(path)
    return path


def loads(text: str, file: str = FILE_NAME) -> FittedModel:
    """Parse and verify a model file's text; a LibraryError of one line says why it is refused."""
    try:
        envelope = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LibraryError(
            f"not JSON ({exc.msg} at line {exc.lineno}); re-run `qualify calibrate`", file=file
        ) from None
    if (
        not isinstance(envelope, dict)
        or envelope.get("format") != FORMAT
        or not isinstance(envelope.get("model"), dict)
    ):
        raise LibraryError(f"not a Qualify model file (expected format {FORMAT!r})", file=file)
    if envelope.get("version") != VERSION:
        raise LibraryError(
            f"model format version {envelope.get('version')!r} is not supported (this Qualify reads "
            f"version {VERSION}); re-run `qualify calibrate`",
            file=file,
        )
    try:
        digest = hashlib.sha256(_canonical(envelope["model"])).hexdigest()
    except ValueError:
        digest = ""
    if digest != envelope.get("sha256"):
        raise LibraryError(
            "checksum mismatch: the model was edited or corrupted; re-run `qualify calibrate`", file=file
        )
    try:
        return FittedModel.model_validate(envelope["model"])
    except ValidationError as exc:
        e = exc.errors()[0]
        raise LibraryError(f"invalid model: {'.'.join(str(p) for p in e['loc'])}: {e['msg']}", file=file) from None


def read(library_dir: Path) -> FittedModel | None:
    """The model of a library folder, or None when it has no model.json."""
    path = Path(library_dir) / FILE_NAME
    if not path.is_file():
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LibraryError(f"cannot read: {exc}", file=FILE_NAME) from None
    return loads(text)
