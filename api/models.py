"""Imports every package's ORM models so `create_schema` sees all tables."""

from api.enrichment import models as _enrichment  # noqa: F401
from api.leads import models as _leads  # noqa: F401
from api.transcripts import models as _transcripts  # noqa: F401
