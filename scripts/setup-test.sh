#!/usr/bin/env bash
# Test-only tools, each best effort (called by scripts/test.sh after scripts/setup.sh). Every test that needs one of
# them skips with a visible reason when it is missing, so a failing install here never stops the tests: this script
# always exits 0. apt output goes to a log file; one line per package on stderr. Debian 12 package names.
set -uo pipefail
setup_name=setup-test
. "$(dirname "$0")/setup-common.sh"

py() { /usr/bin/python3 -c "import $1"; }
# package | what needs it | check that it is usable
want() {
  local pkg=$1 what=$2; shift 2
  if setup_missing "$@"; then setup_install "$pkg" "$what" "those tests will be skipped"; else say "ok $pkg"; fi
}

want libhdf5-dev      "tests that write HDF5 files (unversioned libhdf5.so)"     any_file '/usr/lib/*/libhdf5_serial.so' '/usr/lib/*/hdf5/serial/libhdf5.so'
want chromium         "web app browser tests (tests/SarKit.Web.Tests/E2E)"       test -x /usr/bin/chromium
want python3-numpy    "numpy cross-checks (npy/npz, averaging parity)"           py numpy
want python3-scipy    "scipy cross-checks"                                       py scipy
want python3-h5py     "h5py cross-checks of the HDF5 and MAT v7.3 files"          py h5py
want python3-cvxopt   "independent cvxopt check of the MVIE"                      py cvxopt
want python3-torch    "surrogate training smoke test and torch parity (~600 MB)" py torch
want octave           "MATLAB-syntax examples (docs/matlab.md) run with Octave"  command -v octave
want postgresql       "PostgreSQL records tests (throwaway local server)"       any_file '/usr/lib/postgresql/*/bin/initdb'
has_clang() { command -v clang || command -v clang-14; }
want clang            "Native AOT build and its parity check (scripts/build-aot.sh, AotParityTests): linker" has_clang
want zlib1g-dev       "Native AOT build and its parity check: static zlib"       any_file '/usr/lib/*/libz.a'
want munge            "local Slurm cluster test (munge authentication)"         command -v munged
want slurmctld        "local Slurm cluster test (controller)"                    command -v slurmctld
want slurmd           "local Slurm cluster test (compute daemon)"                command -v slurmd
want slurm-client     "local Slurm cluster test (sbatch, squeue, sacct)"         command -v sbatch
setup_summary
exit 0
