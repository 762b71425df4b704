#!/usr/bin/env bash
# Run the molecule scenarios (collection mode, extensions/molecule/) against the local emulator and a
# private PostgreSQL server that each scenario starts in prepare and stops in cleanup.
#   scripts/molecule.sh                      # every scenario
#   scripts/molecule.sh export preflight_blocks
# MOLECULE_WORKERS (default 2) scenarios run at once.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
ANSIBLE_COLLECTIONS_PATH="$(.venv/bin/python -m devtools.collection)"
export ANSIBLE_COLLECTIONS_PATH
workers=${MOLECULE_WORKERS:-2}

if [ $# -eq 0 ]; then
  mapfile -t scenarios < <(find extensions/molecule -mindepth 2 -maxdepth 2 -name molecule.yml -printf '%h\n' \
                            | xargs -n1 basename | sort)
else
  scenarios=("$@")
fi

start=$(date +%s)
logs=.tmp/molecule-logs
mkdir -p "$logs"
failed=()
running=0
for scenario in "${scenarios[@]}"; do
  rm -f "$logs/$scenario.rc"
  # reset first: an interrupted earlier run leaves molecule believing the scenario is still prepared
  ( rc=0; molecule reset -s "$scenario" >/dev/null 2>&1 || true
    molecule test -s "$scenario" >"$logs/$scenario.log" 2>&1 || rc=$?; echo "$rc" >"$logs/$scenario.rc" ) &
  running=$((running + 1))
  if [ "$running" -ge "$workers" ]; then
    wait -n || true
    running=$((running - 1))
  fi
done
wait
for scenario in "${scenarios[@]}"; do
  if [ "$(cat "$logs/$scenario.rc" 2>/dev/null)" = "0" ]; then
    echo "molecule: $scenario passed"
  else
    echo "molecule: $scenario FAILED (log: $logs/$scenario.log)"
    tail -n 40 "$logs/$scenario.log" | sed 's/^/    /'
    failed+=("$scenario")
  fi
done
echo "molecule: ${#scenarios[@]} scenario(s) in $(( $(date +%s) - start )) s, ${#failed[@]} failed"
[ ${#failed[@]} -eq 0 ]
