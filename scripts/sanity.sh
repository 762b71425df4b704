#!/usr/bin/env bash
# ansible-test sanity on a copy of the collection, with no ignore entries allowed.
set -euo pipefail
cd "$(dirname "$0")/.."
if ls tests/sanity/ignore-*.txt >/dev/null 2>&1 && [ -n "$(cat tests/sanity/ignore-*.txt)" ]; then
  echo "sanity: tests/sanity/ignore-*.txt has entries; the project keeps zero ignores" >&2
  exit 1
fi
dest=$(bash scripts/collection-copy.sh sanity)
cd "$dest"
PATH="$OLDPWD/.venv/bin:$PATH" ansible-test sanity --python 3.11 --requirements --color no "$@"
