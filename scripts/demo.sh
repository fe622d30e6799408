#!/usr/bin/env bash
# Runs the SarKit demo (the whole pipeline on the built-in 8-channel 7 T openEMS dataset). README's main command.
# scripts/setup.sh stops only when the .NET 10 SDK is missing; optional installs that fail do not stop the demo.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
./sarkit demo "$@"
