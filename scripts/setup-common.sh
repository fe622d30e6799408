# Shared by scripts/setup.sh and scripts/setup-test.sh (sourced, not run). Debian/Ubuntu package installs that are
# quiet (apt output goes to a log file, one summary line per package on stderr), never interactive, and best effort:
# a package that cannot be installed is reported with what to run by hand, and the caller goes on.
#
# Environment:
#   SARKIT_SETUP_LOG            log file for apt output (default ${XDG_CACHE_HOME:-$HOME/.cache}/sarkit/<script>.log)
#   SARKIT_SETUP_ASSUME_MISSING=1  treat every package as missing (exercises the install and failure paths; tests)

setup_name=${setup_name:-setup}
setup_log=${SARKIT_SETUP_LOG:-${XDG_CACHE_HOME:-$HOME/.cache}/sarkit/$setup_name.log}
mkdir -p "$(dirname "$setup_log")" 2>/dev/null && : >"$setup_log" 2>/dev/null || setup_log=/dev/null
setup_apt=""          # how to run apt-get: "apt-get" (root), "sudo -n apt-get" or "" (cannot)
setup_apt_why=""      # why not, when setup_apt is ""
setup_updated=0
setup_manual=()       # packages the user has to install by hand

say() { echo "$setup_name: $*" >&2; }

# Decides once how apt-get can be run: as root, through password-less sudo, or not at all (then says why).
setup_choose_apt() {
  [ -n "$setup_apt$setup_apt_why" ] && return 0
  if ! command -v apt-get >/dev/null 2>&1; then
    setup_apt_why="apt-get not found (not Debian/Ubuntu)"
  elif [ "$(id -u)" = 0 ]; then
    setup_apt="apt-get"
  elif command -v sudo >/dev/null 2>&1 && sudo -n true >/dev/null 2>&1; then
    setup_apt="sudo -n apt-get"
  elif command -v sudo >/dev/null 2>&1; then
    setup_apt_why="not root, and sudo needs a password"
  else
    setup_apt_why="not root and no sudo"
  fi
}

# setup_install PACKAGE WHAT-FOR IF-MISSING: installs one Debian package (no recommends) unless the caller found it
# present; prints one line. WHAT-FOR says what needs it, IF-MISSING what happens without it. Never fails.
setup_install() {
  local pkg=$1 what=$2 without=$3 rc
  setup_choose_apt
  if [ -z "$setup_apt" ]; then
    say "skip $pkg ($what): $setup_apt_why; $without"
    setup_manual+=("$pkg"); return 0
  fi
  if [ "$setup_updated" = 0 ]; then
    setup_updated=1
    echo "### $setup_apt update" >>"$setup_log"
    DEBIAN_FRONTEND=noninteractive $setup_apt update -q -o DPkg::Lock::Timeout=300 >>"$setup_log" 2>&1 \
      || say "apt-get update failed (exit $?, see $setup_log); trying the installs with the package lists as they are"
  fi
  echo "### $setup_apt install -y -q --no-install-recommends $pkg" >>"$setup_log"
  DEBIAN_FRONTEND=noninteractive $setup_apt install -y -q --no-install-recommends -o DPkg::Lock::Timeout=300 "$pkg" >>"$setup_log" 2>&1
  rc=$?
  if [ $rc = 0 ]; then
    say "installed $pkg ($what)"
  else
    say "skip $pkg ($what): apt-get exit $rc (see $setup_log); $without"
    setup_manual+=("$pkg")
  fi
  return 0
}

# After the installs: the exact command for what is still missing.
setup_summary() {
  [ ${#setup_manual[@]} = 0 ] && return 0
  local cmd="apt-get update && apt-get install -y --no-install-recommends ${setup_manual[*]}"
  if ! command -v apt-get >/dev/null 2>&1; then
    say "to install the rest, use your system's package manager for (Debian names): ${setup_manual[*]}"
  elif [ "$(id -u)" = 0 ]; then
    say "to install the rest: $cmd"
  elif command -v sudo >/dev/null 2>&1; then
    say "to install the rest: sudo sh -c '$cmd'"
  else
    say "to install the rest, have someone with root run: su -c '$cmd'  (or ask your administrator)"
  fi
}

# any_file PATTERN...: true when a glob pattern matches an existing file.
any_file() { local p f; for p in "$@"; do for f in $p; do [ -e "$f" ] && return 0; done; done; return 1; }

# setup_missing CHECK...: true when the check command fails (or SARKIT_SETUP_ASSUME_MISSING=1).
setup_missing() {
  [ "${SARKIT_SETUP_ASSUME_MISSING:-0}" = 1 ] && return 0
  ! "$@" >/dev/null 2>&1
}
