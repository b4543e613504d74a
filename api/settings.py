"""The only place that reads the environment. Bad values fail fast at start-up with the variable named."""

from __future__ import annotations

from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_LIBRARY = ROOT / "library" / "data" / "ledgerly"
# The LLM client's waits between attempts (passed to agent.llm.LLMConfig by api/llm_wiring.py): a Retry-After up to
# MAX_RETRY_AFTER_SECONDS is honoured (a longer one fails the lead as retryable), else BACKOFF_SECONDS doubling.
MAX_RETRY_AFTER_SECONDS = 20.0
BACKOFF_SECONDS = 1.0
# The default rate limits (failed logins per account, per address; form submissions per address), `limits` strings.
DEFAULT_RATES = ("10 per 15 minutes", "50 per 15 minutes", "10 per 10 minutes")


class Settings(BaseSettings):
    """Qualify's configuration; every variable has a working offline default."""

    model_config = SettingsConfigDict(env_prefix="QUALIFY_", extra="ignore", env_file=None)

    data_dir: Path = Field(default=Path(".qualify"), description="Where the SQLite database and Chroma folder live")
    database_url: str | None = Field(
        default=None, validation_alias="DATABASE_URL", description="SQLAlchemy URL; SQLite in data_dir when unset"
    )
    auto_migrate: bool | None = Field(
        default=None,
        description="Upgrade the schema at start-up; default: only for "
        "SQLite (PostgreSQL refuses to start until `qualify db upgrade` is run)",
    )
    library_dir: Path = DEFAULT_LIBRARY
    chroma_path: Path | None = Field(default=None, description="Embedded Chroma folder; data_dir/chroma when unset")
    chroma_host: str | None = Field(default=None, description="Chroma server host; embedded when unset")
    chroma_port: int = 8000

    judge: Literal["local", "llm", "hybrid"] = "local"
    openai_api_key: SecretStr | None = Field(default=None, validation_alias="OPENAI_API_KEY")
    openai_base_url: str | None = Field(default=None, validation_alias="OPENAI_BASE_URL")
    model: str = "gpt-4o-mini"
    openai_api_version: str | None = Field(
        default=None, validation_alias="OPENAI_API_VERSION", description="Set for Azure OpenAI"
    )

    llm_timeout: float = Field(
        default=30.0,
        gt=0,
        le=600,
        description="Seconds per LLM call before the per-1k-token allowance (SDK default 600)",
    )
    llm_timeout_per_1k_tokens: float = Field(
        default=15.0, ge=0, le=600, description="Extra seconds per 1,000 prompt tokens (a CPU server reads ~80/s)"
    )
    llm_max_attempts: int = Field(default=3, ge=1, le=10, description="One retry budget for the whole call chain")
    llm_method: Literal["auto", "json_schema", "tool_required", "function_calling", "json_mode"] = Field(
        default="auto", description="Structured-output method; auto probes the endpoint once at start-up"
    )
    llm_concurrency: int = Field(default=4, ge=1, le=256, description="LLM calls in flight at once")
    llm_max_completion_tokens: int = Field(default=2048, ge=64, le=200_000)
    llm_per_question: bool = Field(default=False, description="One call per question instead of one per lead")
    llm_context_tokens: int | None = Field(default=None, ge=1024, description="The model's context window, when known")
    llm_prices_file: Path | None = Field(default=None, description="YAML: model → input/output USD per million tokens")
    budget_per_run_usd: float | None = Field(default=None, ge=0, description="Spend cap for one batch run")
    budget_per_day_usd: float | None = Field(default=None, ge=0, description="Spend cap per UTC day")

    max_body_bytes: int = Field(default=3_000_000, ge=10_000, description="Request size limit (transcripts up to 2 MB)")
    embedded_worker: bool = Field(
        default=True,
        description="The API qualifies leads in worker threads of its own; "
        "false: it only queues them for `qualify worker` processes",
    )
    queue_url: str | None = Field(
        default=None,
        description="redis:// URL: intake sends leads to Dramatiq workers "
        "(`qualify worker --engine dramatiq`) instead of qualifying them in the API process",
    )
    worker_poll_seconds: float = Field(default=1.0, gt=0, le=3600, description="How often idle workers look for work")
    worker_nice: int = Field(
        default=10,
        ge=0,
        le=19,
        description="The CPU priority `qualify worker` lowers itself to (Unix nice; 0 keeps it): beside the API on "
        "one machine, its requests are served first and qualification takes the CPU left over",
    )
    lead_lease_seconds: float = Field(
        default=600,
        ge=10,
        le=86_400,
        description="How long a worker owns a lead it claimed for qualification; a killed worker's lead is "
        "claimed again once this has passed. Must outlast one lead's LLM calls (timeouts and retries)",
    )
    min_enrichment_confidence: float = Field(default=0.5, ge=0, le=1)
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)

    login_limit_account: str = Field(
        default=DEFAULT_RATES[0], description="Failed logins allowed per account (a `limits` rate string)"
    )
    login_limit_address: str = Field(default=DEFAULT_RATES[1], description="Failed logins allowed per client address")
    rate_limit_storage: str = Field(
        default="memory://",
        description="Where login counters live (memory:// or redis://host:port for several API processes)",
    )
    session_secret: SecretStr | None = Field(
        default=None, description="Signs login-form tokens; random per process when unset"
    )
    session_hours: float = Field(default=12, gt=0, le=24 * 30, description="Browser sessions expire after this long")
    cookie_secure: bool | None = Field(default=None, description="Secure cookies; None: only when served over https")
    speed_to_lead_minutes: dict[str, float] = Field(
        default_factory=lambda: {"sql_ready": 5.0}, description="Speed-to-lead target per tier, in minutes"
    )
    webhook_allowed_hosts: list[str] = Field(
        default_factory=list,
        description="Hosts webhook URLs may point at (`.example.com` allows subdomains); empty: any host",
    )
    webhook_timeout: float = Field(default=10.0, gt=0, le=120, description="Seconds per webhook request")
    webhook_max_attempts: int = Field(default=12, ge=1, le=50, description="Attempts before a delivery is `failed`")
    webhook_backoff_seconds: float = Field(
        default=2.0,
        gt=0,
        le=3600,
        description="Wait before the second attempt; doubles with each further attempt (capped at an hour)",
    )
    event_worker: bool = Field(
        default=True,
        description="The API delivers events in a thread of its own; false: "
        "only `qualify worker` processes deliver them",
    )
    form_rate_limit: str = Field(default=DEFAULT_RATES[2], description="Form submissions allowed per client address")
    form_max_bytes: int = Field(default=64_000, ge=1_000, le=1_000_000, description="Largest form submission accepted")
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="Proxy addresses whose X-Forwarded-For names the client (for the form's per-address limit)",
    )
    escalate_after_minutes: list[float] = Field(
        default_factory=lambda: [5.0, 15.0],
        max_length=10,
        description=(
            "Overdue leads (past their speed-to-lead target) are escalated to the managers after this many minutes on the "
            "owner's clock, once per level; [] turns escalation off"
        ),
    )
    escalate_to_role: Literal["admin"] = Field(default="admin", description="The manager role that is notified")
    territory_rules_file: Path | None = Field(default=None, description="YAML territory rules (country/segment → team)")
    public_url: str = Field(
        default="http://127.0.0.1:8000", description="Where people reach Qualify (links in CRM notes)"
    )

    # CRM connectors (docs/crm.md). Secrets are SecretStr: never printed, logged or echoed in an error.
    crm_max_body_bytes: int = Field(
        default=1_000_000,
        ge=1_000,
        le=20_000_000,
        description="CRM webhook bodies larger than this are refused with 413",
    )
    crm_replay_window_seconds: int = Field(
        default=300,
        ge=30,
        le=3600,
        description="Signed webhooks older than this are refused; signatures "
        "and event ids are remembered this long to refuse replays",
    )
    hubspot_client_secret: SecretStr | None = Field(
        default=None, description="The HubSpot app's client secret (signs webhooks, X-HubSpot-Signature-v3)"
    )
    hubspot_access_token: SecretStr | None = Field(
        default=None, description="HubSpot private-app access token (Bearer) for reading contacts and writing back"
    )
    hubspot_base_url: str = Field(default="https://api.hubapi.com", description="HubSpot API host")
    hubspot_webhook_url: str | None = Field(
        default=None,
        description="The public target URL configured in HubSpot "
        "(part of what HubSpot signs); the URL as received when unset",
    )
    hubspot_mapping_file: Path | None = Field(
        default=None, description="YAML property mapping; the shipped api/crm/data/hubspot_mapping.yaml when unset"
    )
    salesforce_instance_url: str | None = Field(default=None, description="https://<my-domain>.my.salesforce.com")
    salesforce_access_token: SecretStr | None = Field(
        default=None, description="An OAuth access token (session id); or use the client-credentials flow below"
    )
    salesforce_client_id: str | None = Field(
        default=None, description="Connected app consumer key (OAuth 2.0 client-credentials flow)"
    )
    salesforce_client_secret: SecretStr | None = Field(default=None, description="Connected app consumer secret")
    salesforce_api_version: str = Field(default="62.0", pattern=r"^\d{2,3}\.0$")
    salesforce_org_ids: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Organization ids whose Outbound Messages are accepted (15 or 18 characters); none: all refused",
    )
    salesforce_mapping_file: Path | None = Field(
        default=None, description="YAML field mapping; the shipped api/crm/data/salesforce_mapping.yaml when unset"
    )
    salesforce_ca_bundle: Path | None = Field(
        default=None,
        description="CA bundle for the Salesforce API (a TLS-inspecting proxy); the system store when unset",
    )

    @field_validator("database_url")
    @classmethod
    def _known_scheme(cls, value: str | None) -> str | None:
        if value and not value.startswith(("sqlite", "postgresql")):
            raise ValueError("DATABASE_URL must be a sqlite:// or postgresql:// URL")
        if value and value.startswith("postgres://"):
            return "postgresql+psycopg://" + value[len("postgres://") :]
        if value and value.startswith("postgresql://"):
            return "postgresql+psycopg://" + value[len("postgresql://") :]
        return value

    @field_validator("salesforce_org_ids", mode="before")
    @classmethod
    def _org_ids(cls, value: object) -> object:
        if isinstance(value, str):  # QUALIFY_SALESFORCE_ORG_IDS=00D…,00D…
            value = [v.strip() for v in value.split(",") if v.strip()]
        for org in value if isinstance(value, list) else []:
            if not (len(org) in (15, 18) and org.isalnum()):
                raise ValueError(f"{org!r} is not a Salesforce organization id (15 or 18 letters and digits)")
        return value

    @field_validator("login_limit_account", "login_limit_address", "form_rate_limit")
    @classmethod
    def _rate(cls, value: str) -> str:
        if value in DEFAULT_RATES:  # known good (tested): a command that never limits a rate skips importing `limits`
            return value
        from limits import parse

        parse(value)  # raises ValueError naming the bad string
        return value

    @model_validator(mode="after")
    def _llm_needs_an_endpoint(self) -> Settings:
        if self.judge != "local" and not (self.openai_base_url or self.openai_api_key):
            raise ValueError(
                f"QUALIFY_JUDGE={self.judge} needs OPENAI_BASE_URL (self-hosted) or OPENAI_API_KEY (OpenAI)"
            )
        return self

    @model_validator(mode="after")
    def _lease_outlasts_a_run(self) -> Settings:
        if self.judge == "local":
            return self
        worst = self.llm_run_seconds
        if self.lead_lease_seconds <= worst:
            raise ValueError(
                f"QUALIFY_LEAD_LEASE_SECONDS={self.lead_lease_seconds:g} is not longer than one lead's LLM calls may "
                f"take ({self.llm_max_attempts} attempt(s) of QUALIFY_LLM_TIMEOUT={self.llm_timeout:g} s and the "
                f"waits between them: {worst:g} s), so another worker would claim a lead still being qualified; "
                "raise the lease or lower QUALIFY_LLM_TIMEOUT / QUALIFY_LLM_MAX_ATTEMPTS"
            )
        return self

    @property
    def llm_run_seconds(self) -> float:
        """The longest one lead's LLM calls may take before the per-1k-token timeout allowance: every attempt timing
        out, each followed by the longest wait the client makes before the next."""
        waits = sum(max(MAX_RETRY_AFTER_SECONDS, BACKOFF_SECONDS * 2**i) for i in range(self.llm_max_attempts - 1))
        return self.llm_max_attempts * self.llm_timeout + waits

    @property
    def lead_lease(self) -> timedelta:
        """The lease a qualification claim takes (api/leads/service.py)."""
        return timedelta(seconds=self.lead_lease_seconds)

    def delivery_policy(self):
        from api.events.delivery import DeliveryPolicy

        return DeliveryPolicy(
            timeout=self.webhook_timeout,
            max_attempts=self.webhook_max_attempts,
            base_backoff=self.webhook_backoff_seconds,
        )

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'qualify.db').resolve()}"

    @property
    def migrates_at_start(self) -> bool:
        if self.auto_migrate is not None:
            return self.auto_migrate
        return self.resolved_database_url.startswith("sqlite")

    @property
    def resolved_chroma_path(self) -> Path:
        return self.chroma_path or self.data_dir / "chroma"

    @property
    def cache_dir(self) -> Path:
        """Data derived from installed packages, kept between processes (the place index); safe to delete."""
        return self.data_dir / "cache"


class SettingsError(ValueError):
    """A bad configuration value; the message names each variable, what is wrong with it and the value given."""


def describe(exc: ValidationError) -> str:
    """One line per bad value, named by its environment variable."""
    lines = []
    for e in exc.errors(include_url=False):
        field = str(e["loc"][0]) if e["loc"] else ""
        info = Settings.model_fields.get(field)
        name = (info.validation_alias if info and isinstance(info.validation_alias, str) else None) or (
            f"QUALIFY_{field.upper()}" if field else ""
        )
        message = str(e["msg"]).removeprefix("Value error, ")
        secret = any(word in field for word in ("key", "secret", "token"))
        given = f" (got {e['input']!r})" if field and not secret and not isinstance(e["input"], dict) else ""
        lines.append(f"{name}: {message}{given}" if name else message)
    return "; ".join(lines)


@lru_cache
def get_settings() -> Settings:
    """The configuration from the environment; SettingsError naming the variable when a value is bad."""
    try:
        return Settings()
    except ValidationError as exc:
        raise SettingsError(describe(exc)) from None
