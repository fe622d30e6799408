#!/usr/bin/env bash
# Runs the whole SarKit test suite (installs native dependencies first). README's test command.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
dotnet test SarKit.sln -c Release --nologo "$@"
