"""Domains: registrable domain of a URL, email or host (offline), and the shipped free-mail / disposable lists."""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources

from agent.enrichment.suffixes import domain_and_suffix  # tldextract's bundled snapshot, never fetched or cached


def registrable_domain(text: str | None) -> str | None:
    """The registrable domain ("stock.walmart.com" → "walmart.com") of a URL, email or host; None if none."""
    if not text:
        return None
    host = text.strip().lower()
    if "@" in host and "://" not in host:
        host = host.rsplit("@", 1)[1]
    if not host or " " in host:
        return None
    domain, suffix = domain_and_suffix(host)
    if not domain or not suffix:
        return None
    return f"{domain}.{suffix}"


def email_domain(email: str | None) -> str | None:
    """The part after @ of an email address, lowercased (not reduced to the registrable domain)."""
    if not email or "@" not in email:
        return None
    return email.rsplit("@", 1)[1].strip().lower() or None


def _load(name: str) -> frozenset[str]:
    with resources.files("agent.enrichment").joinpath("data", name).open(encoding="utf-8") as fh:
        return frozenset(row["domain"].strip().lower() for row in csv.DictReader(fh) if row["domain"].strip())


@cache
def free_mail_domains() -> frozenset[str]:
    """Consumer mailbox providers (gmail.com, outlook.com, …)."""
    return _load("free_mail_domains.csv")


@cache
def disposable_domains() -> frozenset[str]:
    """Throw-away inbox services (mailinator.com, …)."""
    return _load("disposable_domains.csv")


def _listed(domain: str, listed: frozenset[str]) -> bool:
    # Match the host itself and its registrable domain, so "mail.yahoo.co.uk"-style hosts are caught too.
    domain = domain.lower()
    return domain in listed or (registrable_domain(domain) or "") in listed


def is_free_mail(domain: str | None) -> bool:
    """Whether a mail domain belongs to a consumer provider."""
    return bool(domain and _listed(domain, free_mail_domains()))


def is_disposable(domain: str | None) -> bool:
    """Whether a mail domain is a throw-away inbox service."""
    return bool(domain and _listed(domain, disposable_domains()))
