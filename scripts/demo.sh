#!/usr/bin/env bash
# Set up (scripts/bootstrap.sh), then solve demo_site captchas offline in headless Chromium.
# Extra arguments go to `omo-selenium demo` (default: --runs 20).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
[ $# -gt 0 ] || set -- --runs 20
exec .venv/bin/omo-selenium demo "$@"
