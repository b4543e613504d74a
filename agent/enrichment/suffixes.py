"""The public suffix of a host, as `tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)` finds it (ICANN
section, no private domains), read from the snapshot of the Public Suffix List bundled with the installed tldextract
package, without importing it: tldextract imports `requests`, `urllib3` and `filelock` for a download that is never
made here, and builds its trie of Python objects on first use (together about 0.15 s of CPU for every `qualify lead`).

The lookup is tldextract 5's own walk (labels from the right; a `*` rule takes the next label unless a `!` exception
names it; `xn--` labels compared decoded), on sets of rule keys instead of trie nodes. tests/agent/enrichment/
test_suffixes.py compares it with tldextract itself on every rule of the list and on URLs, e-mail hosts and odd input.
"""

from __future__ import annotations

import importlib.util
import re
from functools import cache
from pathlib import Path

from agent.errors import EnrichmentError

SNAPSHOT = ".tld_set_snapshot"  # inside the tldextract package
_PRIVATE = "// ===BEGIN PRIVATE DOMAINS==="
_RULE = re.compile(r"^(?P<suffix>[.*!]*\w[\S]*)", re.UNICODE | re.MULTILINE)  # tldextract.suffix_list's pattern
_SCHEME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-.")  # urllib's
_DOTS = ("\u3002", "\uff0e", "\uff61")
_IPV4 = re.compile(  # tldextract.remote's IP_RE
    r"^(?:(?:[0-9]|[1-9][0-9]|1[0-9]{2}|2[0-4][0-9]|25[0-5])\.)"
    r"{3}(?:[0-9]|[1-9][0-9]|1[0-9]{2}|2[0-4][0-9]|25[0-5])$",
    re.ASCII,
)


class SuffixListMissing(EnrichmentError):
    """The installed tldextract package has no bundled Public Suffix List snapshot."""


def snapshot_file() -> Path:
    """The suffix list snapshot shipped in the tldextract package (found without importing the package)."""
    spec = importlib.util.find_spec("tldextract")
    if spec is None or not spec.submodule_search_locations:
        raise SuffixListMissing("package tldextract is not installed (pip install -e .)")
    path = Path(next(iter(spec.submodule_search_locations))) / SNAPSHOT
    if not path.is_file():
        raise SuffixListMissing(f"{path} not found: reinstall tldextract")
    return path


@cache
def _rules() -> tuple[frozenset[str], frozenset[str]]:
    """(every trie node as the dotted key of its labels, the nodes that end a rule), ICANN section only."""
    public = snapshot_file().read_text(encoding="utf-8").partition(_PRIVATE)[0]
    ends = frozenset(m.group("suffix") for m in _RULE.finditer(public))
    nodes = set()
    for rule in ends:
        labels = rule.split(".")
        for i in range(len(labels)):
            nodes.add(".".join(labels[i:]))
    return frozenset(nodes), ends


def _decoded(label: str) -> str:
    lowered = label.lower()
    if lowered.startswith("xn--"):
        import idna  # only for punycode labels

        try:
            return str(idna.decode(lowered))
        except (UnicodeError, IndexError):
            pass
    return lowered


def _child(key: str, label: str) -> str:
    return f"{label}.{key}" if key else label


def suffix_index(labels: list[str]) -> int | None:
    """The index of the first label of the public suffix of `labels`, or None when there is none."""
    nodes, ends = _rules()
    key = ""
    suffix_idx = label_idx = len(labels)
    for label in reversed(labels):
        decoded = _decoded(label)
        child = _child(key, decoded)
        if "." not in decoded and child in nodes:  # a trie node's labels never hold a dot
            label_idx -= 1
            key = child
            if child in ends:
                suffix_idx = label_idx
            continue
        if _child(key, "*") in nodes:
            exception = "." not in decoded and _child(key, "!" + decoded) in nodes
            return label_idx if exception else label_idx - 1
        break
    return None if suffix_idx == len(labels) else suffix_idx


def host_of(url: str) -> str:
    """The host of a URL-like string, as tldextract's `lenient_netloc` reads it (scheme, path, user and port off)."""
    start = url.find("//")
    if start == 0:
        rest = url[2:]
    elif start < 2 or url[start - 1] != ":" or set(url[: start - 1]) - _SCHEME_CHARS:
        rest = url
    else:
        rest = url[start + 2 :]
    authority = rest.partition("/")[0].partition("?")[0].partition("#")[0]
    after_user = authority.rpartition("@")[-1]
    if after_user and after_user[0] == "[":
        ipv6 = after_user.partition("]")
        if ipv6[1] == "]":
            return f"{ipv6[0]}]"
    return after_user.partition(":")[0].strip().rstrip(".\u3002\uff0e\uff61")


def _bracketed_ipv6(host: str) -> bool:
    if len(host) < 4 or host[0] != "[" or host[-1] != "]":
        return False
    from ipaddress import AddressValueError, IPv6Address

    try:
        IPv6Address(host[1:-1])
    except AddressValueError:
        return False
    return True


def domain_and_suffix(url: str) -> tuple[str, str]:
    """tldextract's (domain, suffix) of a URL, e-mail host or host name; either is '' when there is none (an IP
    address, a name under no known suffix)."""
    host = host_of(url)
    for dot in _DOTS:
        host = host.replace(dot, ".")
    if _bracketed_ipv6(host):
        return host, ""
    labels = host.split(".")
    index = suffix_index(labels)
    if index is None:
        ipv4 = len(labels) == 4 and host[0].isdecimal() and _IPV4.fullmatch(host) is not None
        return (host if ipv4 else labels[-1]), ""
    return (labels[index - 1] if index > 0 else ""), ".".join(labels[index:])
