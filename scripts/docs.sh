#!/usr/bin/env bash
# Builds the collection's documentation site into .tmp/docs/build/html with antsibull-docs and Sphinx:
# a page per module, role and plugin, plus the guides in docs/*.md. Any warning fails the build.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
ANSIBLE_COLLECTIONS_PATH="$(.venv/bin/python -m devtools.collection)"
export ANSIBLE_COLLECTIONS_PATH
site=.tmp/docs
rst="$site/rst"

# semantic markup, references between plugins and the docs/docsite files
antsibull-docs lint-collection-docs --plugin-docs --validate-collection-refs=all .

rm -rf "$site"; mkdir -p "$rst"
chmod og-w "$rst"   # antsibull-docs wants the directory writable only by its owner
antsibull-docs collection --use-current --squash-hierarchy --cleanup everything --dest-dir "$rst" d365fo.dataalm

mkdir -p "$rst/guides"
cp docs/*.md "$rst/guides/"
if compgen -G "docs/*.png" >/dev/null; then cp docs/*.png "$rst/guides/"; fi   # images the guides show
cat >>"$rst/index.rst" <<'RST'

.. toctree::
   :maxdepth: 1
   :caption: Guides
   :glob:

   guides/*
RST

sphinx-build -q -b html -c docs/sphinx -W --keep-going "$rst" "$site/build/html"

# every module, role, plugin and guide has its page
missing=0
expect() { [ -s "$site/build/html/$1" ] || { echo "docs: no page $1" >&2; missing=1; }; }
for f in plugins/modules/*.py; do expect "$(basename "$f" .py)_module.html"; done
for d in roles/*/; do expect "$(basename "$d")_role.html"; done
for f in plugins/callback/*.py; do expect "$(basename "$f" .py)_callback.html"; done
for f in docs/*.md; do expect "guides/$(basename "$f" .md).html"; done
[ "$missing" -eq 0 ]
echo "docs: site built without warnings: $site/build/html/index.html"
