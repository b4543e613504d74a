"""Imports every package's ORM models so migrations (api/migrations) see all tables."""

from api.enrichment import models as _enrichment  # noqa: F401
from api.leads import models as _leads  # noqa: F401
from api.transcripts import models as _transcripts  # noqa: F401
from api.users import models as _users  # noqa: F401
from api.audit import models as _audit  # noqa: F401
from api.review import models as _review  # noqa: F401
from api.events import models as _events  # noqa: F401
from api.forms import models as _forms  # noqa: F401
from api.jobs import models as _jobs  # noqa: F401
from api.crm import models as _crm  # noqa: F401
