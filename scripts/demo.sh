#!/usr/bin/env bash
# Runs the SarKit demo (the whole pipeline on the built-in 8-channel 7 T openEMS dataset). README's main command.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
./sarkit demo "$@"
