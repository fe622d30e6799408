#!/usr/bin/env bash
# Builds the Native AOT `sarkit` for this machine and installs it for ./sarkit, only after a parity self-check
# (issue 18; docs/performance.md "Native AOT"):
#   1. dotnet publish src/SarKit.Cli -c Release -p:SarKitAot=RID into a new folder (ILC `native`: this CPU's instruction
#      sets, AVX-512 where present; 5 min on an idle 2-core machine, up to 20 min under load);
#   2. scripts/aot-parity.py runs it and the JIT build (the plain Release build, DOTNET_ReadyToRun=0) on the reference
#      data (../shared/reference; the demo data without it): sar, info, seq check, nema calorimetry, margin cr,
#      vop compress, mvie; every result and written array must be the same bytes (clock fields excepted);
#   3. only then it is installed (a symbolic link switched by rename, so ./sarkit sees the old or the new build, never a
#      half-written one) with a stamp naming this CPU; its file time is the start of the publish, so any source edited
#      while it was built makes it stale.
# When the check fails the build is not installed (./sarkit keeps using ReadyToRun), the reason is printed on stderr and
# the rejected build is kept in src/SarKit.Cli/bin/Release/sarkit-aot.d/rejected for a closer look.
#   bash scripts/build-aot.sh            # build, check, install (nothing to do when the installed build is up to date)
#   bash scripts/build-aot.sh --force    # rebuild even when up to date
# Needs clang (the linker) and zlib1g-dev (static zlib), and python3 for the check. Exit 0 when an up-to-date checked
# AOT build is installed, 3 when a prerequisite is missing (nothing done), 1 otherwise.
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
. "$here/scripts/sarkit-builds.sh"
force=""
for a in "$@"; do
  case "$a" in
    --force) force=1 ;;
    -h | --help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "build-aot: unknown option '$a' (--force, --help)" >&2; exit 2 ;;
  esac
done
say() { echo "build-aot: $*" >&2; }

[ -n "$sarkit_rid" ] || { say "Native AOT builds are made on Linux x64/arm64 only; ./sarkit runs the ReadyToRun build"; exit 3; }
missing=()
[ -x /usr/bin/clang ] || [ -x /usr/bin/clang-14 ] || missing+=(clang)
ls /usr/lib/*-linux-gnu/libz.a >/dev/null 2>&1 || missing+=(zlib1g-dev)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
if [ ${#missing[@]} -gt 0 ]; then
  say "missing: ${missing[*]} (the AOT linker, static zlib, the parity check); as root: apt-get install --no-install-recommends ${missing[*]}"
  exit 3
fi

mkdir -p "$sarkit_bin/sarkit-aot.d"
exec 9>"$sarkit_bin/sarkit-aot.lock"
if command -v flock >/dev/null 2>&1 && ! flock -n 9; then
  say "another scripts/build-aot.sh is running in this checkout; waiting for it..."
  flock 9
fi
rm -rf "$sarkit_bin"/sarkit-aot.d/new-*   # left by an interrupted run (this one holds the lock)
if [ -z "$force" ] && sarkit_aot_check >/dev/null; then
  say "the installed Native AOT build is up to date: $(readlink -f "$sarkit_aot_link")"
  exit 0
fi

start_epoch=$(date +%s)
id="$start_epoch-$$"
stage="$sarkit_bin/sarkit-aot.d/new-$id"
rm -rf "$stage"
log="$(mktemp)"
trap 'rm -rf "$stage" "$log"' EXIT
say "publishing the Native AOT build ($sarkit_rid, this CPU's instruction sets): dotnet publish src/SarKit.Cli -c Release -p:SarKitAot=$sarkit_rid; 5-20 min..."
t=$SECONDS
if ! dotnet publish "$here/src/SarKit.Cli" -c Release -p:SarKitAot="$sarkit_rid" --nologo -v q -o "$stage" >"$log" 2>&1; then
  grep -E ' error |error:' "$log" | head -20 >&2 || tail -20 "$log" >&2
  say "the AOT publish failed (above); ./sarkit keeps using the ReadyToRun build"
  exit 1
fi
[ -x "$stage/SarKit.Cli" ] || { say "the publish made no $stage/SarKit.Cli; ./sarkit keeps using the ReadyToRun build"; exit 1; }
say "published in $((SECONDS - t)) s ($(du -sh "$stage/SarKit.Cli" | cut -f1) executable)"

# the JIT build to compare with: the plain Release build, made or refreshed by the launcher
jit="$here/src/SarKit.Cli/bin/Release/net10.0/SarKit.Cli.dll"
SARKIT_BUILD=jit "$here/sarkit" --version >/dev/null
say "parity self-check against the JIT build ($jit)..."
t=$SECONDS
if ! python3 "$here/scripts/aot-parity.py" --aot "$stage/SarKit.Cli" --jit "$jit"; then
  rm -rf "$sarkit_bin/sarkit-aot.d/rejected"
  mv "$stage" "$sarkit_bin/sarkit-aot.d/rejected"
  say "NOT installed: the AOT build does not give the same results as the JIT build (above); ./sarkit keeps using the ReadyToRun build; the rejected build is in $sarkit_bin/sarkit-aot.d/rejected"
  exit 1
fi
say "self-check passed in $((SECONDS - t)) s"

{
  echo "cpu_id=$(sarkit_cpu_id)"
  echo "cpu=$(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo | head -1)"
  echo "rid=$sarkit_rid"
  echo "instruction_set=native"
  echo "commit=$(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$here" diff --quiet HEAD -- src 2>/dev/null || echo ' (with uncommitted changes under src/)')"
  echo "publish_started_utc=$(date -u -d "@$start_epoch" +%Y-%m-%dT%H:%M:%SZ)"
  echo "parity=passed (scripts/aot-parity.py)"
} > "$stage/sarkit-aot.stamp"
touch -d "@$start_epoch" "$stage/SarKit.Cli"   # stale as soon as a source is newer than the start of the publish
final="$sarkit_bin/sarkit-aot.d/$id"
mv "$stage" "$final"
ln -s "sarkit-aot.d/$id" "$sarkit_bin/sarkit-aot.new-$$"
mv -T "$sarkit_bin/sarkit-aot.new-$$" "$sarkit_aot_link"
for d in "$sarkit_bin"/sarkit-aot.d/*; do   # earlier installs (a running process keeps its open files)
  case "$(basename "$d")" in "$id" | rejected | new-*) ;; *) rm -rf "$d" ;; esac
done
if sarkit_aot_check >/dev/null; then
  say "installed: $final; ./sarkit runs it from now on"
else
  say "installed $final, but a source changed while it was built: ./sarkit will not run it; run this script again"
  exit 1
fi
