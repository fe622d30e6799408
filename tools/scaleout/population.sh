#!/usr/bin/env bash
# Population-scale VOP measurement (docs/scale-out.md "Population VOPs"): writes a synthetic population spec
# (docs/population.md; the matrices are generated on demand, no Q file), compresses it one-shot (`vop compress`,
# skipped with ONESHOT=0) under /usr/bin/time, then runs tools/scaleout/measure.sh for each partition count
# (ε_p + ε_m = the one-shot margin). Resumable: an existing one-shot result is kept; measure.sh redoes each N.
#   tools/scaleout/population.sh COUNT "4 8 16" OUTDIR [SEED] [CHANNELS]   (SARKIT: sarkit command, default ./sarkit)
set -uo pipefail
count=$1; counts=$2; out=$3; seed=${4:-1}; ch=${5:-16}
here="$(cd "$(dirname "$(readlink -f "$0")")" && pwd)"; repo="$(cd "$here/../.." && pwd)"
SARKIT=${SARKIT:-"$repo/sarkit"}; EP=${EP:-0.03}; EM=${EM:-0.02}
mkdir -p "$out"; out=$(readlink -f "$out")
spec="$out/population.json"
printf '{"format": "sarkit-synthetic-population", "count": %s, "channels": %s, "seed": %s}\n' "$count" "$ch" "$seed" > "$spec.tmp" && mv -f "$spec.tmp" "$spec"
if [ "${ONESHOT:-1}" = 1 ] && [ ! -s "$out/oneshot.json" ]; then
  margin=$(awk -v a="$EP" -v b="$EM" 'BEGIN {print a + b}')
  SARKIT_MAX_PARALLELISM=${SARKIT_MAX_PARALLELISM:-1} /usr/bin/time -f "%e %U %S %M" -o "$out/oneshot.time" \
    $SARKIT vop compress --q "$spec" --margin "$margin" --drives 0 -o "$out/oneshot.h5" --json > "$out/oneshot.json.tmp" 2> "$out/oneshot.log" \
    && mv -f "$out/oneshot.json.tmp" "$out/oneshot.json" || { echo "one-shot compression failed (see $out/oneshot.log)" >&2; exit 1; }
  read -r w u s m < "$out/oneshot.time"
  echo "one-shot: margin $margin, $($SARKIT vop report "$out/oneshot.h5" --json | tr -d ' \n' | sed -n 's/^{"command":"report","file":"[^"]*","channels":[0-9]*,"count":\([0-9]*\).*/\1/p') VOPs, wall $w s, CPU $(awk -v u="$u" -v s="$s" 'BEGIN {print u + s}') s, peak RSS $((m / 1024)) MB"
fi
[ -n "$counts" ] && "$here/measure.sh" "$spec" "$counts" "$out" "$EP" "$EM"
