# Build / test harness for the hpcops.clusters Ansible collection.
#
#   make demo   - run playbooks/demo.yml against the local API simulator
#   make test   - venv + tools + pytest, whose tests/checks run sanity, units and lint
#                 (pytest's summary line is the last line)
#
# Only python3 (3.11, with the venv module) and make are needed; everything else is
# installed into .venv from requirements-dev.lock (`make lock` writes it from requirements-dev.txt).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
MAKEFLAGS += --no-print-directory
.DEFAULT_GOAL := help

PYTHON      ?= python3
TEST_PYTHON ?= 3.11

ROOT        := $(CURDIR)
VENV        := $(ROOT)/.venv
VENV_BIN    := $(VENV)/bin
VENV_STAMP  := $(VENV)/.requirements-dev.stamp
TMP         := $(ROOT)/.tmp
# .tmp/collections/ansible_collections/hpcops/clusters -> repo root (symlink)
COLLECTIONS_ROOT := $(TMP)/collections
COLLECTION_LINK  := $(COLLECTIONS_ROOT)/ansible_collections/hpcops/clusters
# copy of the tree that ansible-test runs in (see hack/ansible_test_tree.sh)
ANSIBLE_TEST_TREE := $(TMP)/ansible-test/ansible_collections/hpcops/clusters
DIST        := $(TMP)/dist

# Environment for everything that runs ansible or imports the collection.
RUN_ENV := PATH="$(VENV_BIN):$$PATH" \
	ANSIBLE_COLLECTIONS_PATH="$(COLLECTIONS_ROOT)" \
	PYTHONPATH="$(COLLECTIONS_ROOT)$${PYTHONPATH:+:$$PYTHONPATH}"

# The ansible-test copy lives inside this git work tree (in git-ignored .tmp/). Without
# ANSIBLE_TEST_CONTENT_ROOT, ansible-test walks up from the cwd, finds this repository's
# .git, lists files with `git ls-files` there and sees none ("All targets skipped").
ANSIBLE_TEST_ENV := PATH="$(VENV_BIN):$$PATH" ANSIBLE_TEST_CONTENT_ROOT="$(ANSIBLE_TEST_TREE)"

# Extra arguments, e.g. make pytest PYTEST_ARGS='-k ehpc -x'
PYTEST_ARGS ?=
# pytest-xdist workers: two per CPU by default, a number, or 0 to run in one process. Two per
# CPU because much of a test's time is spent waiting (the simulator's job timers, Slurm's
# pings, ansible-playbook's start-up): on a 2-CPU machine 4 workers took the pytest stage
# from 10:33 to 8:35. loadscope runs each test file's functions on one worker, so a
# module-scoped fixture (a scenario playbook, the docs build) is set up once, and each test class
# on one worker (tests/checks/test_integration_targets.py: a class per group of integration
# targets, so that the groups run side by side). Not loadgroup: pytest-xdist 3.8 cannot tag node
# ids under pytest 9. --no-loadscope-reorder hands them out in collection order, where
# tests/conftest.py puts the files with a `slow` test first.
PYTEST_WORKERS ?= $(shell echo $$(( $$(nproc 2>/dev/null || echo 1) * 2 )))
SANITY_ARGS ?=
UNITS_ARGS  ?=
INTEGRATION_ARGS ?=
INTEGRATION_GROUP ?=
LINT_ARGS   ?=

.PHONY: help venv lock matrix collection-tree ansible-test-tree ansible-test-bootstrap sanity units lint \
	pytest integration test demo build changelog docs publish-tools clean distclean

help:
	@echo "Targets:"
	@echo "  demo             run playbooks/demo.yml against the local simulator (tests/simulator)"
	@echo "  test             venv + tools + pytest (which runs sanity, units and lint too); any failure fails"
	@echo "  venv             create .venv and install exactly requirements-dev.lock (only when it changed)"
	@echo "  lock             rewrite the lock files from requirements*.txt and hack/*requirements.txt"
	@echo "                   (LOCK_ARGS='--upgrade-package NAME' to move one package)"
	@echo "  collection-tree  link .tmp/collections/ansible_collections/hpcops/clusters -> repo root"
	@echo "  sanity           ansible-test sanity --venv --python $(TEST_PYTHON)  (SANITY_ARGS=...)"
	@echo "  units            ansible-test units --venv --python $(TEST_PYTHON)   (UNITS_ARGS=...)"
	@echo "  integration      ansible-test integration targets against the simulator (INTEGRATION_ARGS=..., INTEGRATION_GROUP=N)"
	@echo "  lint             ansible-lint --profile production on roles/ and playbooks/"
	@echo "  pytest           pytest over tests/checks (sanity, units, lint), tests/unit, tests/simulator and"
	@echo "                   tests/integration, two workers per CPU"
	@echo "                   (pytest-xdist; PYTEST_ARGS=..., PYTEST_WORKERS=0 for one process)"
	@echo "  matrix           tests/matrix: ansible-doc, demo, unit tests and one integration test per module"
	@echo "                   under each ansible-core release meta/runtime.yml claims (2.16-2.19)"
	@echo "  build            ansible-galaxy collection build into .tmp/dist"
	@echo "  changelog        antsibull-changelog lint + generate CHANGELOG.rst from changelogs/"
	@echo "  docs             documentation site (antsibull-docs + Sphinx, warnings as errors) in .tmp/docs/html"
	@echo "  clean            remove .tmp, tests/output and caches (distclean: also .venv)"

# --- environment -------------------------------------------------------------------------

venv: $(VENV_STAMP)

# Installs exactly requirements-dev.lock (every package pinned with its hashes; see `lock`):
# hack/venv_install.sh creates the venv, runs `pip install --require-hashes` and removes what
# the lock does not name. Runs again only when the lock changed (the stamp is its sha256).
$(VENV_STAMP): requirements-dev.lock hack/venv_install.sh hack/venv_sync.py
	@echo "venv: installing requirements-dev.lock into $(VENV) with $(PYTHON) ($$($(PYTHON) --version 2>&1)): about 110 packages, a line each, then one install step (the longest)"
	@PYTHON="$(PYTHON)" bash hack/venv_install.sh "$(VENV)" requirements-dev.lock \
		| awk '/^Collecting / { n++; printf "venv: [%3d] %s\n", n, $$2; fflush() } \
			/^Installing collected packages/ { print "venv: installing " n " packages..."; fflush() } \
			/^Successfully installed/ { print "venv: done"; fflush() }'
	@touch "$@"

# Rewrite every lock file from the files that name the direct dependencies (hack/lock.sh):
# requirements-dev.lock (.venv), hack/galaxy-importer-requirements.lock,
# hack/eda-rulebook-requirements.lock, hack/matrix/ansible-core-*.lock and
# tests/unit/constraints.txt. Pins already in a lock stay unless its input changed;
# LOCK_ARGS='--upgrade-package NAME' moves one package, LOCK_ARGS=--upgrade all.
LOCK_ARGS ?=
lock:
	@TEST_PYTHON="$(TEST_PYTHON)" bash hack/lock.sh $(LOCK_ARGS)

collection-tree:
	@bash hack/collection_tree.sh >/dev/null

ansible-test-tree:
	@bash hack/ansible_test_tree.sh >/dev/null

# ansible-test --venv bootstraps pip with a get-pip.py downloaded from a host that may be
# unreachable; write an offline stand-in into its cache when none is there.
ansible-test-bootstrap: venv
	@"$(VENV_BIN)/python" hack/ansible_test_bootstrap.py --python-version $(TEST_PYTHON)

# --- tests -------------------------------------------------------------------------------

sanity: venv ansible-test-bootstrap ansible-test-tree
	@echo "sanity: ansible-test sanity in $(ANSIBLE_TEST_TREE)"
	@cd "$(ANSIBLE_TEST_TREE)" && $(ANSIBLE_TEST_ENV) \
		ansible-test sanity --venv --python $(TEST_PYTHON) --color no $(SANITY_ARGS)

units: venv ansible-test-bootstrap ansible-test-tree
	@if [ ! -d tests/unit ]; then echo "units: no tests/unit directory"; exit 5; fi
	@echo "units: ansible-test units in $(ANSIBLE_TEST_TREE)"
	@cd "$(ANSIBLE_TEST_TREE)" && $(ANSIBLE_TEST_ENV) \
		ansible-test units --venv --python $(TEST_PYTHON) --color no $(UNITS_ARGS)

# ansible-test integration targets (tests/integration/targets/) against the simulator, which
# hack/integration.sh starts on a free loopback port and always stops (INTEGRATION_ARGS=<target>;
# INTEGRATION_GROUP=N: the targets of shippable/posix/groupN, in a copy of the tree of their own).
integration: venv
	@echo "integration: ansible-test integration against the simulator$(if $(INTEGRATION_GROUP), (group $(INTEGRATION_GROUP)))"
	@TEST_PYTHON=$(TEST_PYTHON) bash hack/integration.sh $(if $(INTEGRATION_GROUP),--group $(INTEGRATION_GROUP)) $(INTEGRATION_ARGS)

# Files, not directories: given a directory, ansible-lint always warns that it expanded it.
lint: venv collection-tree
	@files="$$(find roles playbooks -type f \( -name '*.yml' -o -name '*.yaml' \) 2>/dev/null | sort)"; \
	if [ -z "$$files" ]; then \
		echo "lint: no YAML under roles/ or playbooks/ yet, nothing to lint"; \
	else \
		echo "lint: ansible-lint --profile production on $$(echo "$$files" | wc -l) files of roles/ and playbooks/"; \
		$(RUN_ENV) ansible-lint --profile production --offline $$([ -t 1 ] || echo --nocolor) $(LINT_ARGS) $$files; \
	fi

pytest: venv collection-tree
	@$(RUN_ENV) "$(VENV_BIN)/python" -m pytest -n $(PYTEST_WORKERS) --dist loadscope --no-loadscope-reorder $(PYTEST_ARGS)

# Sub-makes keep the order fixed (also under -j), so pytest's summary line ends the output.
# sanity, units and lint run inside pytest (tests/checks/test_static_checks.py), on one xdist
# worker beside the Ansible tests: each keeps a single CPU busy, and as stages of their own
# before pytest they left the other CPU idle for about 1.5 minutes. The integration targets run
# there too, a group per worker (tests/checks/test_integration_targets.py).
# Each stage's time goes to .tmp/stage-times.txt; pytest prints them before its summary line.
test:
	@mkdir -p "$(TMP)" && rm -f "$(TMP)/stage-times.txt"
	@bash hack/timed_stage.sh venv $(MAKE) venv
	@bash hack/timed_stage.sh tools $(MAKE) publish-tools
	@bash hack/timed_stage.sh tools bash hack/eda_rulebook.sh || echo "eda: ansible-rulebook not installed; its test skips here and fails under CI=true"
	@bash hack/timed_stage.sh tools bash hack/install_slurm.sh || echo "slurm: slurm-wlm/munge not installed; the Slurm tests skip here and fail under CI=true"
	@HPCOPS_STAGE_TIMES="$(TMP)/stage-times.txt" $(MAKE) pytest

# The collection under each ansible-core minor release meta/runtime.yml claims, each in its own
# venv (.tmp/matrix/<minor>) from its lock (hack/matrix/ansible-core-<minor>.lock): ansible-doc,
# the demo, the unit tests and one integration test per module (tests/matrix). MATRIX_ARGS=...
# One pytest-xdist worker per release (--dist loadscope: a release's tests are one class), side by side.
MATRIX_ARGS ?=
MATRIX_WORKERS ?= $(words $(wildcard hack/matrix/ansible-core-*.lock))
matrix: venv collection-tree
	@$(RUN_ENV) "$(VENV_BIN)/python" -m pytest -p no:cacheprovider -n $(MATRIX_WORKERS) --dist loadscope \
		tests/matrix/test_ansible_core_matrix.py $(MATRIX_ARGS)

# --- demo / build ------------------------------------------------------------------------

demo: venv collection-tree
	@$(RUN_ENV) bash hack/demo.sh

build: venv
	@mkdir -p "$(DIST)"
	@PATH="$(VENV_BIN):$$PATH" ansible-galaxy collection build --force --output-path "$(DIST)" .

# New change: add changelogs/fragments/<name>.yml. Release: antsibull-changelog release --version X.Y.Z
changelog: venv
	@PATH="$(VENV_BIN):$$PATH" antsibull-changelog lint
	@PATH="$(VENV_BIN):$$PATH" antsibull-changelog generate

# Open .tmp/docs/html/index.html in a browser.
docs: venv
	@bash hack/docs.sh

# What tests/integration/test_publish.py needs besides .venv: Chromium (apt-get when root)
# and galaxy-importer's own venv in .tmp/galaxy-importer.
publish-tools:
	@bash hack/install_chromium.sh >/dev/null
	@bash hack/galaxy_importer_venv.sh >/dev/null

clean:
	rm -rf "$(TMP)" tests/output .pytest_cache .ansible
	find . -path ./.venv -prune -o -type d -name __pycache__ -prune -exec rm -rf {} +

distclean: clean
	rm -rf "$(VENV)"
