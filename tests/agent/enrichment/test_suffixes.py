"""The suffix lookup read from tldextract's bundled snapshot finds what tldextract itself finds (the way
agent.enrichment.domains used to call it), on every rule of the list and on URLs, e-mail hosts and odd input."""

from __future__ import annotations

import csv
import subprocess
import sys
from importlib import resources

import pytest
import tldextract

from agent.enrichment import suffixes
from agent.enrichment.domains import registrable_domain
from agent.enrichment.suffixes import domain_and_suffix

EXTRACT = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)  # what domains.py called before


def _theirs(text: str) -> tuple[str, str]:
    parts = EXTRACT(text)
    return parts.domain, parts.suffix


def _rule_hosts() -> list[str]:
    """Every ICANN rule as hosts: the rule itself, one and two labels under it (a wildcard filled in), exceptions."""
    _, ends = suffixes._rules()
    hosts = []
    for rule in sorted(ends):
        bare = rule.lstrip("!").replace("*", "w1ld")
        hosts += [bare, f"example.{bare}", f"a.b.{bare}", f"www.{bare}"]
        if rule.startswith("!"):
            hosts.append(f"x.{rule[1:]}")
    return hosts


def test_every_rule_of_the_list_is_read_as_tldextract_reads_it() -> None:
    hosts = _rule_hosts()
    assert len(hosts) > 20_000  # the whole ICANN section (about 7,000 rules)
    differ = [h for h in hosts if domain_and_suffix(h) != _theirs(h)]
    assert differ == []


ODD = [
    "https://stock.walmart.com/path?q=1#top",
    "http://user:pw@forums.bbc.co.uk:8080/x",
    "//cdn.example.org/lib.js",
    "ftp://files.example.co.jp",
    "mailto:someone@example.com",
    "WWW.Example.COM.",
    "example.com。",
    "ledgerly．io",
    "shop.example｡de",
    "xn--80ak6aa92e.com",
    "www.xn--fiqs8s",
    "example.xn--p1ai",
    "xn--bad-punycode-.com",
    "192.168.0.1",
    "256.1.1.1",
    "1.2.3.4.com",
    "[::1]",
    "http://[2001:db8::1]:443/",
    "[not-ipv6].com",
    "localhost",
    "com",
    "",
    ".",
    "..com",
    "a..b.co.uk",
    "www.ck",
    "foo.ck",
    "a.foo.ck",
    "city.kawasaki.jp",
    "x.city.kawasaki.jp",
    "blogspot.com",
    "me.blogspot.com",  # a private-section suffix: not one here, as in tldextract's default
    "github.io",
    "example.s3.amazonaws.com",
    "1:2:3.example.com",
    "example.com:abc",
    "münchen.de",
    "example.香港",
    "über.example.co.uk/ä?ö",
]


@pytest.mark.parametrize("text", ODD)
def test_odd_input_is_read_as_tldextract_reads_it(text: str) -> None:
    assert domain_and_suffix(text) == _theirs(text)


def test_the_shipped_mail_lists_are_read_as_tldextract_reads_them() -> None:
    for name in ("free_mail_domains.csv", "disposable_domains.csv"):
        with resources.files("agent.enrichment").joinpath("data", name).open(encoding="utf-8") as fh:
            domains = [row["domain"].strip().lower() for row in csv.DictReader(fh) if row["domain"].strip()]
        assert domains
        for domain in domains:
            for host in (domain, f"mail.{domain}", f"someone@{domain}"):
                assert domain_and_suffix(host.rpartition("@")[2]) == _theirs(host.rpartition("@")[2]), host


def test_registrable_domain_examples() -> None:
    assert registrable_domain("https://stock.walmart.com/x") == "walmart.com"
    assert registrable_domain("ana@mail.ledgerly.co.uk") == "ledgerly.co.uk"
    assert registrable_domain("10.0.0.1") is None
    assert registrable_domain("localhost") is None


def test_a_lookup_imports_neither_tldextract_nor_requests() -> None:
    code = (
        "import sys; from agent.enrichment.domains import registrable_domain as r; "
        "assert r('a.b.example.co.uk') == 'example.co.uk'; "
        "print(sorted(m for m in ('tldextract', 'requests', 'urllib3', 'filelock') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
