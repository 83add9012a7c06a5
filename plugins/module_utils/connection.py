# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every cloud connection shares (private to hpcops.clusters).

A connection is one cloud's way in: its options (with environment fallbacks), the rules
its credentials must meet before any call, and the client it builds. Each cloud has its
own file beside this one (``qingcloud_connection``, ``huaweicloud_connection``); a module,
an inventory source or an event source names the connection it uses, so adding a cloud
adds a file and edits none of the shared ones.
"""

from __future__ import annotations

__metaclass__ = type

# Options whose value must be a URL: a host without a scheme would otherwise be tried,
# and retried, as if the network were down.
ENDPOINT_OPTIONS = ("endpoint", "iam_endpoint")


def transport_argument_spec() -> dict:
    return dict(
        validate_certs=dict(type="bool", default=True),
        timeout=dict(type="int", default=30),
    )


def blank_to_unset(params: dict, names) -> None:
    """A blank value (AWX injects "" for an empty credential field) counts as not given."""
    for name in names:
        value = params.get(name)
        if isinstance(value, str) and not value.strip():
            params[name] = None


def endpoint_problem(params: dict) -> str | None:
    for name in ENDPOINT_OPTIONS:
        value = params.get(name)
        if value and not value.lower().startswith(("http://", "https://")):
            return ("%s %r has no scheme: write it as https://%s (or http:// for a local simulator)"
                    % (name, value, value))
    return None


class Connection:
    """Base of a cloud's connection; a subclass sets ``credential_options`` and builds clients."""

    # Options that count as unset when blank; the subclass lists its credentials here.
    credential_options: tuple = ()

    def __init__(self, params: dict):
        self.params = params
        self._transport = None

    @classmethod
    def argument_spec(cls) -> dict:
        return transport_argument_spec()

    @classmethod
    def problem(cls, params: dict) -> str | None:
        """Why these options can't make a working connection, or None; no call is made.

        Blank credentials and endpoints are set to None in ``params`` on the way.
        """
        blank_to_unset(params, cls.credential_options + ENDPOINT_OPTIONS)
        problem = endpoint_problem(params)
        if problem:
            return problem
        timeout = params.get("timeout")
        if timeout is not None and timeout < 1:
            return "timeout must be at least 1 second, got %d" % timeout
        return None

    @classmethod
    def options_from(cls, given: dict, environ: dict) -> dict:
        """The connection's options for a caller without AnsibleModule (an inventory or event
        source): each given value, else its environment variable, else the spec's default,
        converted to the spec's type. Blank values count as not given."""
        from ansible.module_utils.parsing.convert_bool import boolean
        options = {}
        for name, spec in cls.argument_spec().items():
            value = given.get(name)
            if value is None or value == "":
                for env in (spec.get("fallback") or (None, []))[1]:
                    if environ.get(env):
                        value = environ[env]
                        break
            if value is None or value == "":
                value = spec.get("default")
            elif spec.get("type") == "bool":
                value = boolean(value, strict=True)
            elif spec.get("type") == "int":
                value = int(value)
            options[name] = value
        return options

    @property
    def transport(self):
        if self._transport is None:
            from ansible_collections.hpcops.clusters.plugins.module_utils.transport import Transport
            validate_certs = self.params.get("validate_certs")
            self._transport = Transport(validate_certs=True if validate_certs is None else validate_certs,
                                        timeout=self.params.get("timeout") or 30)
        return self._transport

    def client(self):
        raise NotImplementedError
