#!/usr/bin/env bash
# Execution environment: `ee.sh create [context]` writes the ansible-builder build context,
# `ee.sh build [tag]` builds the image with the container engine found (podman, else docker).
# Both first build the collection tarball that execution-environment.yml installs into the image.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
mode=${1:-create}
out=.tmp/ee
mkdir -p "$out"
# build in a private directory and rename into place: two runs at once (parallel tests) must not
# remove or half-overwrite each other's tarball
private=$(mktemp -d "$out/build.XXXXXX")
trap 'rm -rf "$private"' EXIT
ansible-galaxy collection build --force --output-path "$private" . >/dev/null
mv "$private"/d365fo-dataalm-*.tar.gz "$out/d365fo-dataalm.tar.gz"
case "$mode" in
  create)
    context=${2:-$out/context}
    ansible-builder create -f execution-environment.yml --context "$context" --output-filename Containerfile
    ;;
  build)
    tag=${2:-d365fo-dataalm-ee:latest}
    engine=$(command -v podman || command -v docker || true)
    [ -n "$engine" ] || { echo "ee: no container engine (podman or docker) found" >&2; exit 1; }
    ansible-builder build -f execution-environment.yml --context "$out/context" --tag "$tag" \
      --container-runtime "$(basename "$engine")"
    ;;
  *) echo "usage: $0 create [context] | build [tag]" >&2; exit 2 ;;
esac
