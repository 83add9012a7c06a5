# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpcops.clusters contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Base class of every hpcops.clusters module (private to hpcops.clusters).

A module subclass declares its own options and the connection of the cloud it talks
to (module_utils/*_connection.py), then fills in three steps that read like a plan:

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

from ansible.module_utils.basic import AnsibleModule, missing_required_lib
from ansible.module_utils.basic import _load_params

from ansible_collections.hpcops.clusters.plugins.module_utils.errors import ApiError, WaitError
from ansible_collections.hpcops.clusters.plugins.module_utils.transport import REQUESTS_IMPORT_ERROR


def wait_argument_spec(default_timeout: int) -> dict:
    return dict(
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=default_timeout),
    )


def booleans_given_for_ints(argument_spec: dict, raw_params: dict) -> list:
    """Options of type int that were given a boolean.

    Ansible's int type turns ``true`` into 1: ``count: yes`` would scale a cluster to one
    node. The raw task arguments are looked at, before that conversion.
    """
    return sorted(name for name, option in argument_spec.items()
                  if option.get("type") == "int" and isinstance(raw_params.get(name), bool))


class ClusterModule:
    """Subclasses set ``argument_spec``, ``connection_class`` and, if they wait, ``default_wait_timeout``."""

    argument_spec: dict = {}
    # The cloud's connection (module_utils/*_connection.py): its options, credential rules
    # and client. The base class knows no cloud.
    connection_class = None
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
        self._client = None

    @classmethod
    def full_argument_spec(cls) -> dict:
        spec = dict(cls.argument_spec)
        spec.update(cls.connection_class.argument_spec())
        if cls.default_wait_timeout is not None:
            spec.update(wait_argument_spec(cls.default_wait_timeout))
        return spec

    @property
    def client(self):
        """The cloud's service client, built on first use."""
        if self._client is None:
            self._client = self.connection_class(self.params).client()
        return self._client

    # --- the run -------------------------------------------------------------------

    def validate(self) -> None:
        """Checks argument_spec can't express; call ``self.fail`` before any API call."""
        problem = self.connection_class.problem(self.params)
        if problem:
            self.fail(problem)
        if self.default_wait_timeout is not None and self.params["wait_timeout"] < 1:
            self.fail("wait_timeout must be at least 1 second, got %d" % self.params["wait_timeout"])

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
    module_kwargs = {"required_if": [("query_only", True, ("query",))]}

    @classmethod
    def full_argument_spec(cls) -> dict:
        spec = super().full_argument_spec()
        # Leaving the list out is what keeps a task on a cluster of thousands of nodes as cheap
        # as on a small one: ansible-core copies and converts every value of a result, in the
        # module and again in ansible-playbook (docs/performance.md, "Large clusters").
        spec["query_only"] = dict(type="bool", default=False)
        return spec

    def validate(self) -> None:
        from ansible_collections.hpcops.clusters.plugins.module_utils.query import compile_query
        super().validate()
        self.query = compile_query(self, self.params.get("query"))

    def report(self, current, plan: dict, applied) -> dict:
        result = {} if self.params.get("query_only") else {self.result_key: current}
        if self.query is not None:
            result["query_result"] = self.query.search(current)
        return result
