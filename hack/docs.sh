#!/usr/bin/env bash
# Build the documentation site of hpcops.clusters, as docs.ansible.com renders collections:
# antsibull-docs writes RST for every module, plugin and role (doc fragments resolved) and
# the changelog (docs/docsite/config.yml), then Sphinx with the Ansible theme writes HTML.
# Warnings are errors (antsibull-docs --fail-on-error, sphinx-build -W).
#   hack/docs.sh [DEST]     default DEST: .tmp/docs; the site is DEST/html/index.html
# Uses .venv/bin (make venv) and the collection tree (hack/collection_tree.sh). Offline: no
# intersphinx inventory is fetched; hack/docsite/ansible_docsite_links.py links the Ansible
# docsite labels instead.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="$(realpath -m "${1:-$root/.tmp/docs}")"
site="$dest/site"   # sphinx-init output: conf.py, antsibull-docs.cfg, rst/
html="$dest/html"
collection=hpcops.clusters

export PATH="$root/.venv/bin:$PATH"
bash "$root/hack/collection_tree.sh" >/dev/null
export ANSIBLE_COLLECTIONS_PATH="$root/.tmp/collections"
for tool in antsibull-docs sphinx-build; do
    command -v "$tool" >/dev/null || { echo "docs.sh: $tool not found (make venv)" >&2; exit 1; }
done

rm -rf "$site" "$html"
# antsibull-docs wants its destination owned by and only writable by the user.
mkdir -p "$dest" && install -d -m 0700 "$site"
antsibull-docs sphinx-init --use-current --dest-dir "$site" \
    --project "$collection" --copyright "hpcops maintainers" --title "$collection documentation" \
    --index-rst-source "$root/hack/docsite/index.rst" "$collection" >/dev/null
cat >>"$site/conf.py" <<CONF

# Added by hack/docs.sh: an offline build, so no intersphinx inventory to fetch; the
# Ansible docsite labels that antsibull-docs pages use are linked by this extension.
import sys
sys.path.insert(0, "$root/hack/docsite")
intersphinx_mapping = {}
extensions.append("ansible_docsite_links")
CONF

install -d -m 0700 "$site/rst"
antsibull-docs --config-file "$site/antsibull-docs.cfg" collection --use-current --fail-on-error \
    --cleanup everything --dest-dir "$site/rst" "$collection"
sphinx-build -b html -W --keep-going -q -c "$site" -d "$site/doctrees" "$site/rst" "$html"
echo "docs.sh: $html/index.html"
