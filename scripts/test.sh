#!/usr/bin/env bash
# Set up (scripts/bootstrap.sh), then lint, type-check and run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
.venv/bin/ruff check .
.venv/bin/mypy omo_selenium
exec .venv/bin/python -m pytest "$@"
