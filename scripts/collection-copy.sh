#!/usr/bin/env bash
# Copies the files git knows (tracked, and untracked but not ignored) into
# .tmp/<name>/ansible_collections/d365fo/dataalm, the real directory ansible-test insists on.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=".tmp/${1:-sanity}/ansible_collections/d365fo/dataalm"
rm -rf "$dest"
mkdir -p "$dest"
git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' f; do
  [ -e "$f" ] || continue   # deleted in the work tree but still in the index
  mkdir -p "$dest/$(dirname "$f")"
  cp -p "$f" "$dest/$f"
done
# ansible-test lists files with git; without a repository of its own the copy would inherit the
# outer one, where .tmp is ignored, and every target would be skipped.
git -C "$dest" init -q
echo "$dest"
