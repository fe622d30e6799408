#!/usr/bin/env bash
# Runs the whole SarKit test suite. README's test command. Set-up in two layers: scripts/setup.sh (what the command
# line needs; stops only when the .NET 10 SDK is missing), then scripts/setup-test.sh (test-only tools, best effort:
# tests whose tool is missing skip with a visible reason).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/setup-test.sh || true
dotnet test SarKit.sln -c Release --nologo "$@"
