# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Base class of every hpcops.clusters module (private to hpcops.clusters).

A module subclass declares its own options and which cloud it talks to, then fills in
three steps that read like a plan:

- ``gather()``: one read of the current state;
- ``make_plan(current)``: what would change, as a dict whose ``changes`` entry is falsy
  when nothing needs doing (and whose ``in_progress`` entry, if any, is a change already
  under way that ``wait`` should wait for); check mode stops after this step, so check
  mode reports exactly what a real run would do;
- ``apply(plan)``: the writes (one per API batch) and the wait.

``report(current, plan, applied)`` builds the returned keys. Every ApiError or WaitError
becomes ``fail_json`` with a readable ``msg`` and a structured ``failure``.
"""

from __future__ import annotations

__metaclass__ = type

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib
from ansible.module_utils.basic import _load_params

from ansible_collections.hpcops.clusters.plugins.module_utils.errors import ApiError, WaitError
from ansible_collections.hpcops.clusters.plugins.module_utils.transport import REQUESTS_IMPORT_ERROR


def common_argument_spec() -> dict:
    return dict(
        validate_certs=dict(type="bool", default=True),
        timeout=dict(type="int", default=30),
    )


def qingcloud_argument_spec() -> dict:
    spec = dict(
        access_key_id=dict(type="str", required=True, no_log=False,
                           fallback=(env_fallback, ["QINGCLOUD_ACCESS_KEY_ID"])),
        secret_access_key=dict(type="str", required=True, no_log=True,
                               fallback=(env_fallback, ["QINGCLOUD_SECRET_ACCESS_KEY"])),
        zone=dict(type="str", required=True, fallback=(env_fallback, ["QINGCLOUD_ZONE"])),
        endpoint=dict(type="str", fallback=(env_fallback, ["QINGCLOUD_EHPC_ENDPOINT"])),
    )
    spec.update(common_argument_spec())
    return spec


def huaweicloud_argument_spec(endpoint_env: str) -> dict:
    spec = dict(
        region=dict(type="str", fallback=(env_fallback, ["HW_REGION_NAME"])),
        project_id=dict(type="str", required=True, fallback=(env_fallback, ["HW_PROJECT_ID"])),
        auth_token=dict(type="str", no_log=True, fallback=(env_fallback, ["HW_AUTH_TOKEN"])),
        access_key=dict(type="str", no_log=False, fallback=(env_fallback, ["HW_ACCESS_KEY"])),
        secret_key=dict(type="str", no_log=True, fallback=(env_fallback, ["HW_SECRET_KEY"])),
        security_token=dict(type="str", no_log=True, fallback=(env_fallback, ["HW_SECURITY_TOKEN"])),
        iam_user=dict(type="str", fallback=(env_fallback, ["HW_USER_NAME"])),
        iam_password=dict(type="str", no_log=True, fallback=(env_fallback, ["HW_USER_PASSWORD"])),
        iam_domain=dict(type="str", fallback=(env_fallback, ["HW_DOMAIN_NAME"])),
        iam_endpoint=dict(type="str", fallback=(env_fallback, ["HW_IAM_ENDPOINT"])),
        endpoint=dict(type="str", fallback=(env_fallback, [endpoint_env])),
    )
    spec.update(common_argument_spec())
    return spec


def wait_argument_spec(default_timeout: int) -> dict:
    return dict(
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=default_timeout),
    )


def huaweicloud_credentials_problem(params: dict) -> str | None:
    """Why the Huawei credentials given can't work, or None; checked before any call."""
    if params.get("auth_token"):
        return None
    if bool(params.get("access_key")) != bool(params.get("secret_key")):
        return "access_key and secret_key must be given together"
    if params.get("access_key"):
        return None
    iam = [params.get(name) for name in ("iam_user", "iam_password", "iam_domain")]
    if all(iam):
        if not (params.get("region") or params.get("iam_endpoint")):
            return "iam_user needs region or iam_endpoint to find IAM"
        return None
    if any(iam):
        return "iam_user, iam_password and iam_domain must be given together"
    return ("no Huawei Cloud credentials: give auth_token, or access_key and secret_key, or "
            "iam_user, iam_password and iam_domain (or their HW_* environment variables)")


QINGCLOUD_CREDENTIALS = {"access_key_id": "QINGCLOUD_ACCESS_KEY_ID",
                         "secret_access_key": "QINGCLOUD_SECRET_ACCESS_KEY", "zone": "QINGCLOUD_ZONE"}
HUAWEI_CREDENTIALS = ("auth_token", "access_key", "secret_key", "security_token", "iam_user",
                      "iam_password", "iam_domain", "region", "project_id")
ENDPOINT_OPTIONS = ("endpoint", "iam_endpoint")


def booleans_given_for_ints(argument_spec: dict, raw_params: dict) -> list:
    """Options of type int that were given a boolean.

    Ansible's int type turns ``true`` into 1: ``count: yes`` would scale a cluster to one
    node. The raw task arguments are looked at, before that conversion.
    """
    return sorted(name for name, option in argument_spec.items()
                  if option.get("type") == "int" and isinstance(raw_params.get(name), bool))


def blank_to_unset(params: dict, names) -> None:
    """A blank credential (AWX injects "" for an empty field) counts as not given."""
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


class ClusterModule:
    """Subclasses set ``argument_spec``, ``cloud`` and, if they wait, ``default_wait_timeout``."""

    argument_spec: dict = {}
    cloud = "qingcloud"  # or "huaweicloud"
    endpoint_env = None  # Huawei modules: the env var of their service endpoint
    default_wait_timeout = None  # modules without a wait leave it None
    module_kwargs: dict = {}
    # True when ``apply`` sets ``changed`` itself as each write is accepted, so a write the
    # API refused leaves ``changed: false`` and a later failure keeps ``changed: true``.
    marks_changed_on_write = False

    def __init__(self, module: AnsibleModule | None = None):
        self.module = module or AnsibleModule(argument_spec=self.full_argument_spec(),
                                              supports_check_mode=True, **self.module_kwargs)
        if REQUESTS_IMPORT_ERROR:
            self.module.fail_json(msg=missing_required_lib("requests"), exception=REQUESTS_IMPORT_ERROR)
        self.params = self.module.params
        self.result = {"changed": False}
        try:
            raw_params = _load_params()
        except Exception:  # pylint: disable=broad-except
            raw_params = {}  # arguments given another way (unit tests): nothing to compare
        given_booleans = booleans_given_for_ints(self.full_argument_spec(), raw_params)
        if given_booleans:
            self.fail("%s must be a whole number, not a boolean (got %s)" % (
                " and ".join(given_booleans), ", ".join(str(raw_params[n]).lower() for n in given_booleans)))
        self._transport = None

    @classmethod
    def full_argument_spec(cls) -> dict:
        spec = dict(cls.argument_spec)
        if cls.cloud == "qingcloud":
            spec.update(qingcloud_argument_spec())
        else:
            spec.update(huaweicloud_argument_spec(cls.endpoint_env))
        if cls.default_wait_timeout is not None:
            spec.update(wait_argument_spec(cls.default_wait_timeout))
        return spec

    # --- clients -------------------------------------------------------------------

    @property
    def transport(self):
        if self._transport is None:
            from ansible_collections.hpcops.clusters.plugins.module_utils.transport import Transport
            self._transport = Transport(validate_certs=self.params["validate_certs"],
                                        timeout=self.params["timeout"])
        return self._transport

    def ehpc_client(self):
        from ansible_collections.hpcops.clusters.plugins.module_utils.ehpc import EhpcClient
        return EhpcClient(self.transport, self.params["access_key_id"], self.params["secret_access_key"],
                          self.params["zone"], self.params["endpoint"])

    def huawei_auth(self):
        from ansible_collections.hpcops.clusters.plugins.module_utils.huaweicloud_auth import HuaweiAuth
        p = self.params
        return HuaweiAuth(self.transport, p["project_id"], region=p["region"], auth_token=p["auth_token"],
                          access_key=p["access_key"], secret_key=p["secret_key"],
                          security_token=p["security_token"], iam_user=p["iam_user"],
                          iam_password=p["iam_password"], iam_domain=p["iam_domain"],
                          iam_endpoint=p["iam_endpoint"])

    def huawei_client(self, client_class):
        if not (self.params["endpoint"] or self.params["region"]):
            self.fail("region is required to derive the service endpoint (or set endpoint)")
        return client_class(self.transport, self.huawei_auth(), self.params["endpoint"])

    # --- the run -------------------------------------------------------------------

    def validate(self) -> None:
        """Checks argument_spec can't express; call ``self.fail`` before any API call."""
        if self.cloud == "qingcloud":
            blank_to_unset(self.params, QINGCLOUD_CREDENTIALS)
            missing = [name for name in QINGCLOUD_CREDENTIALS if not self.params.get(name)]
            if missing:
                self.fail("missing QingCloud credentials: %s is blank (set %s or the %s environment variable)" % (
                    ", ".join(missing), " and ".join(missing),
                    " and ".join(QINGCLOUD_CREDENTIALS[n] for n in missing)))
        else:
            blank_to_unset(self.params, HUAWEI_CREDENTIALS)
            if not self.params.get("project_id"):
                self.fail("missing Huawei Cloud project_id: it is blank (set project_id or HW_PROJECT_ID)")
        blank_to_unset(self.params, ENDPOINT_OPTIONS)
        problem = endpoint_problem(self.params)
        if problem:
            self.fail(problem)
        if self.cloud == "huaweicloud":
            problem = huaweicloud_credentials_problem(self.params)
            if problem:
                self.fail(problem)
        if self.default_wait_timeout is not None and self.params["wait_timeout"] < 1:
            self.fail("wait_timeout must be at least 1 second, got %d" % self.params["wait_timeout"])
        if self.params["timeout"] < 1:
            self.fail("timeout must be at least 1 second, got %d" % self.params["timeout"])

    def gather(self):
        raise NotImplementedError

    def make_plan(self, current) -> dict:
        return {"changes": None}

    def apply(self, plan: dict):
        raise NotImplementedError

    def report(self, current, plan: dict, applied) -> dict:
        return {}

    def run(self) -> None:
        self.validate()
        current = self.gather()
        plan = self.make_plan(current)
        applied = None
        if plan.get("changes") and (self.module.check_mode or not self.marks_changed_on_write):
            self.result["changed"] = True
        # ``in_progress``: a change someone else already started (nodes Deleting). There
        # is nothing to send, but with wait=true the task still waits for it to end.
        awaited = plan.get("in_progress") and self.params.get("wait")
        if (plan.get("changes") or awaited) and not self.module.check_mode:
            applied = self.apply(plan)
        self.result.update(self.report(current, plan, applied))

    def fail(self, msg: str, **extra) -> None:
        result = dict(self.result)
        result.update(extra)
        self.module.fail_json(msg=msg, **result)

    @classmethod
    def execute(cls) -> None:
        """The whole of a module's ``main()``."""
        instance = cls()
        try:
            instance.run()
        except ApiError as err:
            instance.fail(str(err), failure=err.as_dict())
        except WaitError as err:
            instance.fail(str(err), failure=err.as_dict())
        instance.module.exit_json(**instance.result)


class InfoModule(ClusterModule):
    """An ``_info`` module: one read, no write, and a JMESPath ``query`` over the list.

    Subclasses declare ``query`` in their argument_spec and name the returned list
    with ``result_key``.
    """

    result_key = "items"
    query = None

    def validate(self) -> None:
        from ansible_collections.hpcops.clusters.plugins.module_utils.query import compile_query
        super().validate()
        self.query = compile_query(self, self.params.get("query"))

    def report(self, current, plan: dict, applied) -> dict:
        result = {self.result_key: current}
        if self.query is not None:
            result["query_result"] = self.query.search(current)
        return result
