# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Expand Slurm host lists such as ``node[01-03,7],login1`` (private to hpcops.clusters).

The EHPC job list gives a job's nodes as ``job_node_list`` without documenting the
format; docs/api-decisions.md decides it is a Slurm host list, so this follows Slurm's rules:
hosts are separated by commas outside brackets; a bracket holds comma-separated
numbers or ``lo-hi`` ranges, zero padding kept from the lower bound; several
brackets in one name multiply out (``r[1-2]n[1-2]`` is four hosts).
"""

__metaclass__ = type

from typing import Optional


# A host list names at most this many hosts: an EHPC cluster is far smaller, so a longer
# list is a mistake (``c[1-99999999]``) that would otherwise stall the task building it.
MAX_HOSTS = 100000


class HostListError(ValueError):
    pass


def _split_top_level(text: str) -> list:
    parts, depth, current = [], 0, []
    for char in text:
        if char == "[":
            depth += 1
            if depth > 1:
                raise HostListError("nested '[' in host list %r" % text)
        elif char == "]":
            depth -= 1
            if depth < 0:
                raise HostListError("unbalanced ']' in host list %r" % text)
        if (char == "," or char.isspace()) and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    if depth:
        raise HostListError("unbalanced '[' in host list %r" % text)
    parts.append("".join(current))
    return [part for part in parts if part]


def _parse_range(spec: str, text: str) -> list:
    """``01-03,7`` -> ``[(1, 3, 2), (7, 7, 0)]`` (start, end, zero-padded width)."""
    if not spec.strip():
        # Slurm refuses ``node[]``; dropping it would silently shorten the list.
        raise HostListError("empty brackets in host list %r" % text)
    ranges = []
    for item in spec.split(","):
        item = item.strip()
        if not item:
            raise HostListError("empty range in %r of host list %r" % ("[%s]" % spec, text))
        low, sep, high = item.partition("-")
        if not low.isdigit() or (sep and not high.isdigit()):
            raise HostListError("bad range %r in host list %r" % (item, text))
        start, end = int(low), int(high) if sep else int(low)
        if end < start:
            raise HostListError("descending range %r in host list %r" % (item, text))
        ranges.append((start, end, len(low) if low.startswith("0") else 0))
    return ranges


def _parse_host(pattern: str, text: str, limit: int) -> tuple:
    """``r[1-2]n[1-2]`` -> (``["r", "n", ""]``, ``[ranges, ranges]``) and how many hosts it names."""
    texts, groups, size = [], [], 1
    rest = pattern
    while "[" in rest:
        head, rest = rest.split("[", 1)
        spec, rest = rest.split("]", 1)
        ranges = _parse_range(spec, text)
        texts.append(head)
        groups.append(ranges)
        size *= sum(end - start + 1 for start, end, _width in ranges)
        if size > limit:
            break  # too many already: expand() refuses it
    texts.append(rest)
    return texts, groups, size


def _values(ranges: list):
    for start, end, width in ranges:
        for number in range(start, end + 1):
            yield str(number).zfill(width)


def _hosts(texts: list, groups: list):
    if not groups:
        yield texts[0]
        return
    for value in _values(groups[0]):
        for tail in _hosts(texts[1:], groups[1:]):
            yield texts[0] + value + tail


def expand(text: Optional[str], limit: int = MAX_HOSTS) -> list:
    """All host names of a Slurm host list, in order, without duplicates.

    Linear in the number of hosts named; a list naming more than ``limit`` hosts raises
    HostListError before any of them is built.
    """
    if not text:
        return []
    parsed = [_parse_host(part, text, limit) for part in _split_top_level(text.strip())]
    total = sum(size for _texts, _groups, size in parsed)
    if total > limit:
        raise HostListError("host list %r names more than %d hosts" % (text if len(text) <= 80 else text[:77] + "...",
                                                                       limit))
    hosts = {}
    for texts, groups, _size in parsed:
        for host in _hosts(texts, groups):
            hosts.setdefault(host, None)
    return list(hosts)
