"""`qualify user add|list|revoke|key`: set up the people and services that use Qualify."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from api.settings import get_settings
from api.terminal import cli_console, print_table
from api.users.roles import Role

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.orm import Session, sessionmaker

app = typer.Typer(help="Users, roles and API keys.", no_args_is_help=True, rich_markup_mode=None)
out, err = cli_console(), cli_console(stderr=True)


def _sessions() -> sessionmaker[Session]:
    from api.runtime import open_database

    return open_database(get_settings())[1]


def _now() -> datetime:
    from agent.deps import utc_now

    return utc_now()


@app.command("add")
def add(
    email: Annotated[str, typer.Argument(help="The user's e-mail (their login)")],
    role: Annotated[Role, typer.Option(help="sdr, ae, admin or service")],
    name: Annotated[str | None, typer.Option(help="Display name")] = None,
    team: Annotated[str | None, typer.Option(help="Territory team")] = None,
    password: Annotated[
        bool, typer.Option("--password/--no-password", help="Generate a UI password (people roles)")
    ] = True,
) -> None:
    """Add a user; prints their API key (and UI password) once — only hashes are stored."""
    from api.audit import service as audit
    from api.db import transaction
    from api.errors import ApiError
    from api.users import service

    secret = secrets.token_urlsafe(12) if password and role != Role.service else None
    try:
        with transaction(_sessions()) as s:
            user = service.add_user(s, email, role, _now(), name=name, team=team, password=secret)
            key = service.issue_key(s, user, _now())
            audit.record(s, None, "user_add", "user", user.email, at=_now(), new={"role": role.value, "team": team})
    except ApiError as exc:
        err.print(f"error: {exc.detail}")
        raise typer.Exit(2) from exc
    out.print(f"added {user.email} ({role.value})")
    out.print(f"API key (shown once): {key}")
    if secret:
        out.print(f"password (shown once): {secret}")


@app.command("key")
def new_key(email: Annotated[str, typer.Argument(help="The user's e-mail")]) -> None:
    """Issue another API key for a user (shown once)."""
    from api.db import transaction
    from api.errors import ApiError
    from api.users import service

    try:
        with transaction(_sessions()) as s:
            key = service.issue_key(s, service.find_user(s, email), _now())
    except ApiError as exc:
        err.print(f"error: {exc.detail}")
        raise typer.Exit(2) from exc
    out.print(f"API key (shown once): {key}")


@app.command("list")
def list_users() -> None:
    """Users, roles, teams and the prefixes of their live keys."""
    from api.users import service

    with _sessions()() as s:
        rows = service.list_users(s)
    table = Table("email", "role", "team", "active", "keys")
    for r in rows:
        table.add_row(
            str(r["email"]),
            str(r["role"]),
            str(r["team"] or ""),
            "yes" if r["active"] else "no",
            # list_users() rows are dicts of objects; "keys" holds a list[str]
            ", ".join(r["keys"]),  # type: ignore[arg-type]
        )
    print_table(out, table)


@app.command("revoke")
def revoke(
    email: Annotated[str | None, typer.Argument(help="Deactivate this user")] = None,
    key: Annotated[str | None, typer.Option(help="Revoke only the key with this prefix")] = None,
) -> None:
    """Deactivate a user (all keys and sessions), or revoke one key by its prefix."""
    from api.audit import service as audit
    from api.db import transaction
    from api.errors import ApiError
    from api.users import service

    try:
        with transaction(_sessions()) as s:
            if key:
                service.revoke_key(s, key, _now())
                audit.record(s, None, "key_revoke", "api_key", key, at=_now())
                out.print(f"revoked key {key}")
            elif email:
                user = service.find_user(s, email)
                n = service.revoke_user(s, user, _now())
                audit.record(s, None, "user_revoke", "user", user.email, at=_now(), new={"active": False})
                out.print(f"deactivated {user.email}; {n} key(s) revoked")
            else:
                err.print("error: name a user or --key")
                raise typer.Exit(2)
    except ApiError as exc:
        err.print(f"error: {exc.detail}")
        raise typer.Exit(2) from exc


DEMO = (
    ("sdr@demo.example", Role.sdr, "Sam SDR"),
    ("sdr2@demo.example", Role.sdr, "Sasha SDR"),
    ("ae@demo.example", Role.ae, "Alex AE"),
    ("admin@demo.example", Role.admin, "Ada Admin"),
)


def demo_users(password: str = "demo-password") -> list[tuple[str, str, str | None]]:
    """Create the demo users once (same password each run); returns (email, role, new API key or None if existing)."""
    from api.db import transaction
    from api.errors import ApiError
    from api.users import service

    made: list[tuple[str, str, str | None]] = []
    with transaction(_sessions()) as s:
        for email, role, name in DEMO:
            try:
                user = service.find_user(s, email)
                made.append((email, role.value, None))
            except ApiError:
                user = service.add_user(s, email, role, _now(), name=name, password=password)
                made.append((email, role.value, service.issue_key(s, user, _now())))
    return made
