"""Sphinx extension: link the Ansible docsite labels that antsibull-docs pages refer to.

antsibull-docs writes pages for the Ansible docsite, where labels such as
``common_return_values`` or ``ansible_collections.ansible.builtin.password_hash_filter``
resolve through intersphinx against docs.ansible.com's inventory. The docs build here runs
offline (hack/docs.sh, the test suite), so there is no inventory to fetch: this extension
turns exactly those references into links to docs.ansible.com. Any other unresolved
reference - including one to this collection's own pages - is left alone, so Sphinx still
warns about it and ``-W`` fails the build.
"""

from __future__ import annotations

import re

from docutils import nodes

ANSIBLE_DOCS = "https://docs.ansible.com/projects/ansible/devel/"
THIS_COLLECTION = "hpcops.clusters"

# Labels of the Ansible docsite that antsibull-docs' page templates use.
DOCSITE_LABELS = {
    "common_return_values": "reference_appendices/common_return_values.html",
    "ansible_configuration_settings": "reference_appendices/config.html",
    "action_plugins": "plugins/action.html",
    "callback_plugins": "plugins/callback.html",
    "collections_keyword": "collections_guide/collections_using_playbooks.html"
                           "#simplifying-module-names-with-the-collections-keyword",
    "list_of_collections": "collections/index.html",
}

# ansible_collections.<namespace>.<name>.<plugin>_<type>[__<anchor>], antsibull-docs' label
# for a plugin page (and its options) of another collection on docs.ansible.com.
PLUGIN_LABEL = re.compile(r"^ansible_collections\.(?P<namespace>\w+)\.(?P<name>\w+)\."
                          r"(?P<page>\w+?_(?:module|role|\w+))(?:__(?P<anchor>[\w-]+))?$")


def docsite_url(target: str) -> str | None:
    if target in DOCSITE_LABELS:
        return ANSIBLE_DOCS + DOCSITE_LABELS[target]
    match = PLUGIN_LABEL.match(target)
    if not match or "%s.%s" % (match["namespace"], match["name"]) == THIS_COLLECTION:
        return None
    url = "%scollections/%s/%s/%s.html" % (ANSIBLE_DOCS, match["namespace"], match["name"], match["page"])
    return url + ("#" + match["anchor"] if match["anchor"] else "")


def core_envvars() -> set:
    """The environment variables of ansible-core's own settings (ANSIBLE_CACHE_PLUGIN, ...).

    antsibull-docs leaves them out of a collection's environment variable index, since the
    Ansible docsite documents them on its configuration page; doc fragments such as
    ``inventory_cache`` refer to them.
    """
    from ansible import constants  # pylint: disable=import-outside-toplevel
    return set(entry["name"] for setting in constants.config.get_configuration_definitions().values()
               for entry in setting.get("env") or [] if entry.get("name"))


def envvar_url(name: str, known: set | None = None) -> str | None:
    if name not in (core_envvars() if known is None else known):
        return None
    return ANSIBLE_DOCS + "reference_appendices/config.html#envvar-" + name


def resolve(app, env, node, contnode):
    if node.get("refdomain") != "std" or node.get("reftype") not in ("ref", "envvar"):
        return None
    if node.get("reftype") == "envvar":
        url = envvar_url(node.get("reftarget", ""))
    else:
        url = docsite_url(node.get("reftarget", ""))
    if url is None:
        return None
    reference = nodes.reference("", "", internal=False, refuri=url)
    reference += contnode
    return reference


def setup(app):
    app.connect("missing-reference", resolve)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
