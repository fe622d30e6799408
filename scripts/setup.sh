#!/usr/bin/env bash
# What the demo and the command line need, nothing more (idempotent; Debian 12 / Ubuntu). Test-only tools are in
# scripts/setup-test.sh. Order: the .NET 10 SDK is checked first (it cannot be installed quietly here: the message says
# how); then libhdf5, the native HDF5 library SarKit writes .h5 files with (reading is managed; the demo needs
# neither), best effort. apt output goes to a log file; one line per package on stderr. Exit 0 unless the .NET 10 SDK
# is missing (exit 1): a failing optional install never stops the demo.
set -uo pipefail
setup_name=setup
. "$(dirname "$0")/setup-common.sh"

# 1. The .NET 10 SDK (builds and runs everything).
if ! command -v dotnet >/dev/null 2>&1 || ! dotnet --list-sdks 2>/dev/null | grep -q '^10\.'; then
  if command -v dotnet >/dev/null 2>&1; then
    say "the .NET 10 SDK is required; 'dotnet --list-sdks' shows: $(dotnet --list-sdks 2>/dev/null | cut -d' ' -f1 | tr '\n' ' ')"
  else
    say "the .NET 10 SDK is required and 'dotnet' is not on PATH"
  fi
  cat >&2 <<'MSG'
setup: install it, then run this script again:
setup:   as root on Debian 12 (Microsoft's package feed):
setup:     wget -q https://packages.microsoft.com/config/debian/12/packages-microsoft-prod.deb -O /tmp/ms.deb
setup:     dpkg -i /tmp/ms.deb && apt-get update && apt-get install -y --no-install-recommends dotnet-sdk-10.0
setup:   without root (into ~/.dotnet, for this user only):
setup:     curl -sSL https://dot.net/v1/dotnet-install.sh | bash -s -- --channel 10.0
setup:     export DOTNET_ROOT="$HOME/.dotnet" PATH="$HOME/.dotnet:$HOME/.dotnet/tools:$PATH"
setup:   details: https://learn.microsoft.com/dotnet/core/install/linux
MSG
  exit 1
fi
say "ok .NET SDK $(dotnet --list-sdks 2>/dev/null | grep '^10\.' | tail -1 | cut -d' ' -f1)"

# 2. libhdf5 1.10+ (writing .h5: qmatrices -o, vop compress, ...). Debian 12 / Ubuntu 22.04: libhdf5-103-1;
#    Ubuntu 24.04: libhdf5-103-1t64. Runtime library only (no -dev, no recommends).
hdf5_present() {
  [ -n "${SARKIT_HDF5_LIBRARY:-}" ] && [ -f "$SARKIT_HDF5_LIBRARY" ] && return 0
  any_file '/usr/lib/*/libhdf5_serial.so.103*' '/usr/lib/*/libhdf5.so.103*' '/usr/lib/*/hdf5/serial/libhdf5.so'
}
if setup_missing hdf5_present; then
  pkg=libhdf5-103-1
  if command -v apt-cache >/dev/null 2>&1 && apt-cache policy libhdf5-103-1t64 2>/dev/null | grep -q 'Candidate: [0-9]'; then
    pkg=libhdf5-103-1t64
  fi
  setup_install "$pkg" "native HDF5 library for writing .h5 files" \
    "the demo runs without it; commands that write .h5 files will say that libhdf5 is missing (or set SARKIT_HDF5_LIBRARY)"
else
  say "ok libhdf5"
fi
# 3. libdeflate (optional, faster inflate of gzip-compressed HDF5 chunks; docs/hdf5.md). Without it the reader uses
#    System.IO.Compression and gives the same bytes.
libdeflate_present() { any_file '/usr/lib/*/libdeflate.so.0*' '/lib/*/libdeflate.so.0*'; }
if setup_missing libdeflate_present; then
  setup_install libdeflate0 "libdeflate for faster HDF5 chunk inflate" "HDF5 files are read with System.IO.Compression instead (same results)"
else
  say "ok libdeflate"
fi
setup_summary
exit 0
