#!/usr/bin/env bash
# The demo: refresh the fabrikam-uat sandbox from production with playbooks/refresh.yml against the
# built-in emulator (a local stand-in for Entra ID + LCS, with a PostgreSQL database per environment and
# a clock that runs 120x faster), with live progress, then show the run report.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"

work=$(mktemp -d "${TMPDIR:-/tmp}/dataalm-demo.XXXXXX")
reports="$PWD/.tmp/demo-reports"
stop_services() {
  .venv/bin/python -m devtools.services stop --state-dir "$work/services" || true
}
trap stop_services EXIT INT TERM

echo "demo: starting PostgreSQL and the emulator (world emulator/worlds/demo.yml, clock x120)"
.venv/bin/python -m devtools.services start --state-dir "$work/services" \
  --world emulator/worlds/demo.yml >/dev/null

cat >"$work/inventory.yml" <<'INVENTORY'
all:
  vars:
    ansible_connection: local
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
    dataalm_services: "{{ lookup('ansible.builtin.file', lookup('ansible.builtin.env', 'DATAALM_SERVICES')) | from_json }}"
    lcs_project_id: "{{ dataalm_services.lcs.project_id }}"
    lcs_client_id: "{{ dataalm_services.lcs.client_id }}"
    lcs_username: "{{ dataalm_services.lcs.username }}"
    lcs_password: "{{ dataalm_services.lcs.password }}"
    lcs_tenant_id: "{{ dataalm_services.lcs.tenant_id }}"
    lcs_authority_url: "{{ dataalm_services.lcs.authority_url }}"
    lcs_api_url: "{{ dataalm_services.lcs.lcs_api_url }}"
    lcs_ca_path: "{{ dataalm_services.lcs.ca_path }}"
    dataalm_source_environment_id: "{{ dataalm_services.environments['fabrikam-prod'].id }}"
    dataalm_target_environment_id: "{{ dataalm_services.environments[inventory_hostname].id }}"
    dataalm_sql_connection_string: "{{ dataalm_services.environments[inventory_hostname].odbc_connection_string }}"
    dataalm_snapshot_dir: "{{ lookup('ansible.builtin.env', 'DATAALM_SNAPSHOT_DIR') }}"
    dataalm_poll_interval: 5
    # A progress line every 10 s (the default, 300 s, suits real multi-hour refreshes).
    d365fo_dataalm_progress_interval: 10
  hosts:
    fabrikam-uat:
      dataalm_keep_users: [Admin]
INVENTORY

mkdir -p "$work/snapshots"
echo "demo: ansible-playbook -i inventory.yml playbooks/refresh.yml --limit fabrikam-uat"
echo
run_name="demo-$(date -u +%Y%m%d-%H%M%S)"
ANSIBLE_COLLECTIONS_PATH="$(.venv/bin/python -m devtools.collection)" \
ANSIBLE_CALLBACKS_ENABLED=d365fo.dataalm.report \
ANSIBLE_PYTHON_INTERPRETER="$PWD/.venv/bin/python" \
ANSIBLE_LOCALHOST_WARNING=False \
DATAALM_SERVICES="$work/services/services.json" \
DATAALM_SNAPSHOT_DIR="$work/snapshots" \
DATAALM_REPORT_DIR="$reports" \
DATAALM_REPORT_RUN_NAME="$run_name" \
  ansible-playbook -i "$work/inventory.yml" playbooks/refresh.yml --limit fabrikam-uat

latest="$reports/$run_name"
echo
echo "================================ run report ================================"
cat "$latest/summary.md"
echo "============================================================================"
echo "demo: report files in $latest (report.html, summary.md, report.json, junit.xml)"
