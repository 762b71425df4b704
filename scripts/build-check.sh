#!/usr/bin/env bash
# Builds the collection tarball, checks what it must not contain, installs it into a scratch
# collections path and lists its modules with ansible-doc from there.
set -euo pipefail
cd "$(dirname "$0")/.."
out=.tmp/build
rm -rf "$out"; mkdir -p "$out/collections"
build_log=$(ansible-galaxy collection build --force --output-path "$out" . 2>&1)
if grep -qiE 'warning|deprecat' <<<"$build_log"; then
  echo "$build_log" >&2
  echo "build: ansible-galaxy collection build must be warning-free (above)" >&2
  exit 1
fi
tarball=$(ls "$out"/d365fo-dataalm-*.tar.gz)
if tar -tzf "$tarball" | grep -E '^(emulator|devtools|tests|benchmarks|extensions|scripts|\.tmp|\.venv)/' ; then
  echo "build: the tarball contains files it must not ship (above)" >&2
  exit 1
fi
ansible-galaxy collection install --force -p "$out/collections" "$tarball" >/dev/null
listed=$(ANSIBLE_COLLECTIONS_PATH="$out/collections" ansible-doc -l d365fo.dataalm)
echo "$listed"
count=$(echo "$listed" | grep -c '^d365fo\.dataalm\.' || true)
[ "$count" -gt 0 ] || { echo "build: ansible-doc lists no modules from the installed tarball" >&2; exit 1; }
echo "build: $(basename "$tarball") ok, $count modules listed from the installed tarball"
