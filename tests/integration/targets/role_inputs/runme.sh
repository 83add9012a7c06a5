#!/usr/bin/env bash
# Every role refuses inputs an AWX survey or a typo can produce, before any API call
# (tests/integration/test_role_inputs.py before). The inputs arrive as AWX passes a job's
# extra vars: one JSON object on the command line (-e '{...}'), so their types are JSON's
# ("3" a string, true a boolean). A job template playbook has no default for what it changes
# and the simulator inventory is not used: every value comes from the JSON.
#
# A run is one job's extra vars, so it holds at most one case per role; the roles' variables
# have different prefixes, so one run carries a case for each of the five roles (playbook.yml
# runs each role named in role_inputs_expect and asserts its refusal). 10 runs: cce_scale has
# 10 cases.
set -euo pipefail
source ../setup_simulator/runme_lib.sh

# run_inputs N JSON: run playbook.yml with the extra vars JSON.
run_inputs() {
    run_playbook "inputs-$1" playbook.yml -e "$2"
}

run_inputs 1 '{
  "ehpc_scale_count": "3",
  "cce_scale_in_nodes": "cce-demo-node-3",
  "cce_scale_in_ssh_key": "KeyPair-demo",
  "cce_scale_node_pool": "pool-compute",
  "cce_scale_count": "3",
  "role_inputs_expect": {
    "ehpc_scale": {"contains": "missing required arguments: ehpc_scale_cluster_id"},
    "ehpc_rolling_restart": {"contains": "missing required arguments: ehpc_rolling_restart_cluster_id"},
    "cce_scale_in": {"contains": "missing required arguments: cce_scale_in_cluster_id"},
    "ehpc_autoscale": {"contains": "missing required arguments: ehpc_autoscale_cluster_id"},
    "cce_scale": {"contains": "missing required arguments: cce_scale_cluster_id"}}}'

run_inputs 2 '{
  "ehpc_scale_cluster_id": "ehpc-8jqdq0mz",
  "ehpc_rolling_restart_cluster_id": "ehpc-8jqdq0mz",
  "ehpc_rolling_restart_batch_size": true,
  "cce_scale_in_cluster_id": "cce-demo",
  "cce_scale_in_ssh_key": "KeyPair-demo",
  "ehpc_autoscale_cluster_id": "ehpc-8jqdq0mz",
  "ehpc_autoscale_wait_timeout": true,
  "cce_scale_cluster_id": "cce-pools",
  "cce_scale_count": "3",
  "role_inputs_expect": {
    "ehpc_scale": {"contains": "missing required arguments: ehpc_scale_count"},
    "ehpc_rolling_restart": {"contains": "ehpc_rolling_restart_batch_size must be a whole number, not a boolean (got True)"},
    "cce_scale_in": {"contains": "missing required arguments: cce_scale_in_nodes"},
    "ehpc_autoscale": {"contains": "ehpc_autoscale_wait_timeout must be a whole number, not a boolean (got True)"},
    "cce_scale": {"contains": "missing required arguments: cce_scale_node_pool"}}}'

run_inputs 3 '{
  "ehpc_scale_cluster_id": "ehpc-8jqdq0mz",
  "ehpc_scale_count": true,
  "ehpc_rolling_restart_cluster_id": "ehpc-8jqdq0mz",
  "ehpc_rolling_restart_wait_timeout": true,
  "cce_scale_in_cluster_id": "cce-demo",
  "cce_scale_in_nodes": "cce-demo-node-3",
  "cce_scale_in_ssh_key": "KeyPair-demo",
  "cce_scale_in_wait_timeout": true,
  "ehpc_autoscale_cluster_id": "ehpc-8jqdq0mz",
  "ehpc_autoscale_min_nodes": "5",
  "ehpc_autoscale_max_nodes": "3",
  "cce_scale_cluster_id": "cce-pools",
  "cce_scale_node_pool": "pool-compute",
  "role_inputs_expect": {
    "ehpc_scale": {"contains": "ehpc_scale_count must be a whole number, not a boolean (got True)"},
    "ehpc_rolling_restart": {"contains": "ehpc_rolling_restart_wait_timeout must be a whole number, not a boolean (got True)"},
    "cce_scale_in": {"contains": "cce_scale_in_wait_timeout must be a whole number, not a boolean (got True)"},
    "ehpc_autoscale": {"equals": "ehpc_autoscale_min_nodes 5 is above ehpc_autoscale_max_nodes 3"},
    "cce_scale": {"contains": "missing required arguments: cce_scale_count"}}}'

run_inputs 4 '{
  "ehpc_scale_cluster_id": "ehpc-8jqdq0mz",
  "ehpc_scale_count": "3",
  "ehpc_scale_min_nodes": true,
  "ehpc_rolling_restart_cluster_id": "",
  "cce_scale_in_cluster_id": "",
  "cce_scale_in_nodes": "cce-demo-node-3",
  "cce_scale_in_ssh_key": "KeyPair-demo",
  "ehpc_autoscale_cluster_id": " ",
  "cce_scale_cluster_id": "cce-pools",
  "cce_scale_node_pool": "pool-compute",
  "cce_scale_count": true,
  "role_inputs_expect": {
    "ehpc_scale": {"contains": "ehpc_scale_min_nodes must be a whole number, not a boolean (got True)"},
    "ehpc_rolling_restart": {"contains": "ehpc_rolling_restart_cluster_id is blank"},
    "cce_scale_in": {"contains": "cce_scale_in_cluster_id is blank"},
    "ehpc_autoscale": {"contains": "ehpc_autoscale_cluster_id is blank"},
    "cce_scale": {"contains": "cce_scale_count must be a whole number, not a boolean (got True)"}}}'

run_inputs 5 '{
  "ehpc_scale_cluster_id": "ehpc-8jqdq0mz",
  "ehpc_scale_count": "3",
  "ehpc_scale_wait_timeout": true,
  "ehpc_rolling_restart_cluster_id": "ehpc-8jqdq0mz",
  "ehpc_rolling_restart_wait_timeout": 0,
  "cce_scale_in_cluster_id": "cce-demo",
  "cce_scale_in_nodes": "",
  "cce_scale_in_ssh_key": "KeyPair-demo",
  "cce_scale_cluster_id": "cce-pools",
  "cce_scale_node_pool": "pool-compute",
  "cce_scale_count": "3",
  "cce_scale_wait_timeout": true,
  "role_inputs_expect": {
    "ehpc_scale": {"contains": "ehpc_scale_wait_timeout must be a whole number, not a boolean (got True)"},
    "ehpc_rolling_restart": {"contains": "must be at least 1 second"},
    "cce_scale_in": {"contains": "cce_scale_in_nodes must list at least one node"},
    "cce_scale": {"contains": "cce_scale_wait_timeout must be a whole number, not a boolean (got True)"}}}'

run_inputs 6 '{
  "ehpc_scale_cluster_id": "ehpc-8jqdq0mz",
  "ehpc_scale_count": 4,
  "ehpc_scale_min_nodes": 5,
  "ehpc_scale_max_nodes": 3,
  "cce_scale_in_cluster_id": "cce-demo",
  "cce_scale_in_nodes": " \n \n",
  "cce_scale_in_ssh_key": "KeyPair-demo",
  "cce_scale_cluster_id": "cce-pools",
  "cce_scale_node_pool": " ",
  "cce_scale_count": "3",
  "role_inputs_expect": {
    "ehpc_scale": {"equals": "ehpc_scale_min_nodes 5 is above ehpc_scale_max_nodes 3"},
    "cce_scale_in": {"contains": "cce_scale_in_nodes must list at least one node"},
    "cce_scale": {"contains": "cce_scale_node_pool is blank"}}}'

run_inputs 7 '{
  "ehpc_scale_cluster_id": "  ",
  "ehpc_scale_count": "3",
  "cce_scale_in_cluster_id": "cce-demo",
  "cce_scale_in_nodes": 5,
  "cce_scale_in_ssh_key": "KeyPair-demo",
  "cce_scale_cluster_id": "cce-pools",
  "cce_scale_node_pool": "pool-compute",
  "cce_scale_count": "0",
  "role_inputs_expect": {
    "ehpc_scale": {"contains": "ehpc_scale_cluster_id is blank"},
    "cce_scale_in": {"contains": "cce_scale_in_nodes must be a list of node names or UIDs"},
    "cce_scale": {"contains": "cce_scale_count 0 would delete every node of node pool pool-compute; set cce_scale_allow_empty=true"}}}'

run_inputs 8 '{
  "ehpc_scale_cluster_id": "ehpc-8jqdq0mz",
  "ehpc_scale_count": "3",
  "ehpc_scale_wait_timeout": 0,
  "cce_scale_cluster_id": "cce-pools",
  "cce_scale_node_pool": "pool-compute",
  "cce_scale_count": -1,
  "role_inputs_expect": {
    "ehpc_scale": {"contains": "ehpc_scale_wait_timeout must be at least 1 second, got 0"},
    "cce_scale": {"contains": "cce_scale_count must be 0 or more, got -1"}}}'

run_inputs 9 '{
  "cce_scale_cluster_id": "cce-pools",
  "cce_scale_node_pool": "pool-compute",
  "cce_scale_count": "3",
  "cce_scale_wait_timeout": "0",
  "role_inputs_expect": {
    "cce_scale": {"contains": "cce_scale_wait_timeout must be at least 1 second, got 0"}}}'

run_inputs 10 '{
  "cce_scale_cluster_id": "cce-pools",
  "cce_scale_node_pool": "pool-compute",
  "cce_scale_count": "3",
  "cce_scale_protected_nodes": {"a": 1},
  "role_inputs_expect": {
    "cce_scale": {"contains": "cce_scale_protected_nodes must be a list"}}}'
