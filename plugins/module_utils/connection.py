# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every cloud connection shares (private to hpcops.clusters).

A connection is one cloud's way in: its options (with environment fallbacks), the rules
its credentials must meet before any call, and the client it builds. Each cloud has its
own package beside this one (``<cloud>/connection.py``); a module,
an inventory source or an event source names the connection it uses, so adding a cloud
adds a file and edits none of the shared ones.

Nothing here imports ansible at load time: the EDA event source runs in ansible-rulebook's
own environment, which need not have ansible-core.
"""

from __future__ import annotations

__metaclass__ = type

# Options whose value must be a URL: a host without a scheme would otherwise be tried,
# and retried, as if the network were down.
ENDPOINT_OPTIONS = ("endpoint", "iam_endpoint")
TRUE_WORDS = ("true", "yes", "on", "1")
FALSE_WORDS = ("false", "no", "off", "0")


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


def to_bool(name: str, value) -> bool:
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError("%s must be a boolean, got %r" % (name, value))


class Connection:
    """Base of a cloud's connection; a subclass declares its options and builds its client."""

    # Option -> the environment variable it falls back to; the subclass lists its own.
    option_env: dict = {}
    required_options: tuple = ()
    secret_options: tuple = ()
    # Options that count as unset when blank (AWX injects "" for an empty field).
    credential_options: tuple = ()

    def __init__(self, params: dict):
        self.params = params
        self._transport = None

    @classmethod
    def environment(cls) -> dict:
        return dict(cls.option_env)

    @classmethod
    def argument_spec(cls) -> dict:
        from ansible.module_utils.basic import env_fallback
        spec = dict(
            (name, dict(type="str", required=name in cls.required_options, no_log=name in cls.secret_options,
                        fallback=(env_fallback, [env])))
            for name, env in cls.environment().items())
        spec.update(transport_argument_spec())
        return spec

    @classmethod
    def options_from(cls, given: dict, environ: dict) -> dict:
        """The connection's options for a caller without AnsibleModule (the event source):
        each given value, else its environment variable, else the default. Blank values
        count as not given."""
        options = {}
        for name, env in cls.environment().items():
            value = given.get(name)
            options[name] = value if value not in (None, "") else (environ.get(env) or None)
        for name, spec in transport_argument_spec().items():
            value = given.get(name)
            if value in (None, ""):
                options[name] = spec["default"]
            elif spec["type"] == "bool":
                options[name] = to_bool(name, value)
            else:
                options[name] = int(value)
        return options

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
