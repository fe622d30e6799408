#!/usr/bin/env bash
# Installs what SarKit needs on a fresh Debian 12 machine (idempotent): the native HDF5 library SarKit calls
# through P/Invoke, and Chromium for the web app's end-to-end tests (tests/SarKit.Web.Tests/E2E, driven by Playwright
# with the system browser; no browser download). The .NET SDK is expected on PATH (it is on SarKit's build machines).
set -euo pipefail
need=()
# libhdf5 (Debian 12: 1.10.8, package libhdf5-103-1; -dev brings the unversioned libhdf5_serial.so symlink)
if ! ls /usr/lib/*/libhdf5_serial.so.103* >/dev/null 2>&1 && ! ls /usr/lib/*/hdf5/serial/libhdf5.so >/dev/null 2>&1; then
  need+=(libhdf5-dev)
fi
# Chromium (Debian package chromium, /usr/bin/chromium) for the web app's browser tests; they skip visibly without it
if [ ! -x /usr/bin/chromium ]; then
  need+=(chromium)
fi
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" != 0 ] && SUDO="sudo"
  echo "setup: installing ${need[*]}" >&2
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >&2
fi
# Debian's python3 with numpy, h5py and PyTorch (python3-torch 1.13, ~600 MB) for the independent cross-checks and the
# surrogate training smoke test (issue 8: CI runs a few training steps) and the C#/numpy/torch 2D 10 g average parity test;
# best effort: those tests skip visibly without it
if [ -x /usr/bin/python3 ] && ! /usr/bin/python3 -c "import numpy, scipy, h5py, torch" >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" != 0 ] && SUDO="sudo"
  echo "setup: installing python3-numpy python3-scipy python3-h5py python3-torch" >&2
  { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-numpy python3-scipy python3-h5py python3-torch; } >&2 \
    || echo "setup: python3-torch not installed; the surrogate training smoke test will be skipped" >&2
fi
command -v dotnet >/dev/null || { echo "setup: the .NET 10 SDK (dotnet) is not on PATH" >&2; exit 1; }
