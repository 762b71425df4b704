#!/usr/bin/env bash
# Prints the public surface of the collection: `ansible-doc --json` of every module, role and
# controller plugin, one JSON document per plugin type. Run it before and after a refactoring and
# diff the two outputs: a refactoring must leave them identical.
#   scripts/doc-surface.sh > /tmp/before.json; ...; scripts/doc-surface.sh | diff /tmp/before.json -
set -euo pipefail
cd "$(dirname "$0")/.."
ANSIBLE_COLLECTIONS_PATH=$(.venv/bin/python -m devtools.collection)
export ANSIBLE_COLLECTIONS_PATH
export PATH="$PWD/.venv/bin:$PATH"
for plugin_type in module role callback; do
  names=$(ansible-doc -t "$plugin_type" -l d365fo.dataalm --json \
    | python3 -c 'import json, sys; print(" ".join(sorted(json.load(sys.stdin))))')
  # shellcheck disable=SC2086 # one argument per plugin name
  ansible-doc -t "$plugin_type" --json $names | python3 -c 'import json, sys; print(json.dumps(json.load(sys.stdin), indent=1, sort_keys=True))'
done
