#!/usr/bin/env bash
# Scale-out measurement (docs/scale-out.md): plans the Slurm VOP workflow (`sarkit cluster slurm vop`) for each
# partition count and runs its sbatch scripts on this machine one task at a time (a "simulated cluster": the same
# scripts an array job runs), each under /usr/bin/time: wall s, CPU s (user + sys), peak RSS (MB) per task. Prints one
# Markdown row per (N, stage) and a summary row per N: partition VOPs, union, merged VOPs, certified, bound.
#   tools/scaleout/measure.sh Q.h5 "1 2 4 8" OUTDIR [ε_p ε_m]      (SARKIT: sarkit command, default ./sarkit)
# SUMMARY_FROM=WD: reuse summary.json + sar_wc.txt of an earlier plan's summarise stage of the same input (the summarise
# task then skips and its row is the skip check only).
set -uo pipefail
q=$(readlink -f "$1"); counts=$2; out=$3; ep=${4:-0.03}; em=${5:-0.02}
here="$(cd "$(dirname "$(readlink -f "$0")")" && pwd)"; repo="$(cd "$here/../.." && pwd)"
SARKIT=${SARKIT:-"$repo/sarkit"}
mkdir -p "$out"
echo "| N | stage | tasks | wall s (sum) | wall s (max task) | CPU s (sum) | peak RSS MB (max task) | notes |"
echo "|---|---|---|---|---|---|---|---|"
for n in $counts; do
  wd="$out/n$n"; rm -rf "$wd"
  $SARKIT cluster slurm vop --q "$q" --partitions "$n" --margin "$ep" --merge-margin "$em" --verify-drives 0 --workdir "$wd" \
    --sarkit "$SARKIT" --cpus-per-task 1 >/dev/null || { echo "plan failed for N=$n" >&2; exit 1; }
  [ -n "${SUMMARY_FROM:-}" ] && cp -p "$SUMMARY_FROM/summary.json" "$SUMMARY_FROM/sar_wc.txt" "$wd/"
  for stage in summarise compress merge verify; do
    script=$(ls "$wd"/0?-$stage.sbatch); tasks=1; [ "$stage" = compress ] && tasks=$n
    : > "$wd/times.$stage"
    for i in $(seq 1 "$tasks"); do
      SLURM_ARRAY_TASK_ID=$i SLURM_CPUS_PER_TASK=1 /usr/bin/time -f "%e %U %S %M" -a -o "$wd/times.$stage" bash "$script" > "$wd/logs/$stage.$i.local.out" 2>&1 \
        || { echo "N=$n $stage task $i failed (see $wd/logs/$stage.$i.local.out)" >&2; exit 1; }
    done
    awk -v n="$n" -v s="$stage" -v t="$tasks" '{w+=$1; if ($1>wm) wm=$1; c+=$2+$3; if ($4>m) m=$4} END {printf "| %d | %s | %d | %.1f | %.1f | %.1f | %.0f | |\n", n, s, t, w, wm, c, m/1024}' "$wd/times.$stage"
  done
  pv=$(for i in $(seq 1 "$n"); do echo "$($SARKIT vop report "$wd/parts/part_$i.h5" --json | tr -d ' \n' | sed -n 's/^{"command":"report","file":"[^"]*","channels":[0-9]*,"count":\([0-9]*\).*/\1/p')"; done | awk '{s+=$1; l=l (NR>1?"+":"") $1} END {print l " = " s}')
  mv_=$($SARKIT vop report "$wd/vops.h5" --json | tr -d ' \n')
  echo "| $n | result | | | | | | partition VOPs $pv; merged $(echo "$mv_" | sed -n 's/^{"command":"report","file":"[^"]*","channels":[0-9]*,"count":\([0-9]*\).*/\1/p') VOPs; certificate valid $(echo "$mv_" | sed -n 's/.*"valid":\([a-z]*\).*/\1/p'); ε = $(echo "$mv_" | sed -n 's/.*"margin_epsilon":\([0-9.eE+-]*\).*/\1/p') |"
done
