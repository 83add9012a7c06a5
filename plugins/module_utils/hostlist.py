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


class HostListError(ValueError):
    pass


def _split_top_level(text: str) -> list:
    parts, depth, current = [], 0, []
    for char in text:
        if char == "[":
            depth += 1
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


def _expand_range(spec: str, text: str) -> list:
    values = []
    for item in spec.split(","):
        item = item.strip()
        if not item:
            continue
        low, sep, high = item.partition("-")
        if not low.isdigit() or (sep and not high.isdigit()):
            raise HostListError("bad range %r in host list %r" % (item, text))
        if not sep:
            values.append(low)
            continue
        start, end = int(low), int(high)
        if end < start:
            raise HostListError("descending range %r in host list %r" % (item, text))
        width = len(low) if low.startswith("0") else 0
        values.extend(str(n).zfill(width) for n in range(start, end + 1))
    return values


def _expand_host(pattern: str, text: str) -> list:
    if "[" not in pattern:
        return [pattern]
    head, rest = pattern.split("[", 1)
    spec, tail = rest.split("]", 1)
    return [head + value + suffix for value in _expand_range(spec, text) for suffix in _expand_host(tail, text)]


def expand(text: Optional[str]) -> list:
    """All host names of a Slurm host list, in order, without duplicates."""
    if not text:
        return []
    hosts = []
    for part in _split_top_level(text.strip()):
        for host in _expand_host(part, text):
            if host not in hosts:
                hosts.append(host)
    return hosts
