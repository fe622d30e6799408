# Sourced by ./sarkit and scripts/build-aot.sh ($here = the checkout): where each build of the command line lives and
# when one is stale. No output, no side effects.

case "$(uname -s)/$(uname -m)" in
  Linux/x86_64) sarkit_rid=linux-x64 ;;
  Linux/aarch64 | Linux/arm64) sarkit_rid=linux-arm64 ;;
  *) sarkit_rid="" ;;
esac
sarkit_bin="$here/src/SarKit.Cli/bin/Release"
# The installed Native AOT build: a symbolic link to sarkit-aot.d/<id>/ (the folder of one publish that passed the
# parity self-check), switched atomically by scripts/build-aot.sh.
sarkit_aot_link="$sarkit_bin/sarkit-aot"
sarkit_aot_exe="$sarkit_aot_link/SarKit.Cli"
sarkit_aot_stamp="$sarkit_aot_link/sarkit-aot.stamp"

# True when the build file $1 is missing or a source of the command line is newer: C#, project and build files and the
# web front end under src/ (not bin/ and obj/: builds write generated files there), and the build files at the root.
sarkit_stale() {
  [ ! -f "$1" ] && return 0
  [ -n "$(find "$here/src" \( -name bin -o -name obj \) -prune -o \( -name '*.cs' -o -name '*.csproj' -o -name '*.props' \
    -o -name '*.targets' -o -name '*.rd.xml' -o -path '*/wwwroot/*' \) -newer "$1" -print -quit)" ] && return 0
  [ -n "$(find "$here" -maxdepth 1 \( -name 'Directory.Build.props' -o -name 'Directory.Build.targets' -o -name 'global.json' \
    -o -iname 'nuget.config' \) -newer "$1" -print -quit)" ]
}
sarkit_why() { if [ -f "$1" ]; then echo "sources changed"; else echo "first run"; fi; }

# This CPU as a Native AOT build depends on it: checksum of the first flags (x86) / Features (arm64) line of /proc/cpuinfo.
sarkit_cpu_id() { { grep -m1 -E '^(flags|Features)[[:space:]]*:' /proc/cpuinfo 2>/dev/null || true; } | cksum | cut -d' ' -f1; }

# Exit 0 when the installed Native AOT build may run here; else 1 with the reason on stdout.
sarkit_aot_check() {
  if [ -z "$sarkit_rid" ]; then echo "Native AOT builds are made on Linux x64/arm64 only"; return 1; fi
  if [ ! -x "$sarkit_aot_exe" ] || [ ! -f "$sarkit_aot_stamp" ]; then echo "none is installed"; return 1; fi
  if sarkit_stale "$sarkit_aot_exe"; then echo "it is out of date (sources changed since its build started)"; return 1; fi
  if [ "$(sed -n 's/^cpu_id=//p' "$sarkit_aot_stamp")" != "$(sarkit_cpu_id)" ]; then
    echo "it was built on a CPU with other instruction sets (an AOT build is compiled for the CPU it was built on)"; return 1
  fi
  return 0
}
