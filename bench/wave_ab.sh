#!/bin/bash
# Alternating A/B of two SarKit CLI builds on one streamed waveform (issue 18): `pulse check FILE --vops VOPS`, page cache
# dropped before every run (root), SARKIT_TIMING=1 phases and /usr/bin/time wall/CPU/peak RSS per run, load average.
# usage: bench/wave_ab.sh OLD_CLI.dll NEW_CLI.dll WAVE.npy VOPS.h5 [ROUNDS=2] [OUTDIR=/tmp]
set -u
OLD=$1 NEW=$2 F=$3 V=$4 R=${5:-2} OUT=${6:-/tmp}
for r in $(seq 1 "$R"); do
  for v in old new; do
    if [ $v = old ]; then D=$OLD; else D=$NEW; fi
    sync; echo 3 > /proc/sys/vm/drop_caches
    l0=$(cut -d' ' -f1 /proc/loadavg); t0=$(date -u +%H:%M:%S)
    SARKIT_TIMING=1 /usr/bin/time -f "TIME wall %e user %U sys %S rss_kb %M" dotnet "$D" pulse check "$F" --vops "$V" > "$OUT/ab_$v$r.out" 2> "$OUT/ab_$v$r.err"
    rc=$?
    echo "$t0 round $r $v exit $rc load $l0 -> $(cut -d' ' -f1 /proc/loadavg): $(grep TIME "$OUT/ab_$v$r.err") | $(grep -o 'waited [0-9.]*' "$OUT/ab_$v$r.err")"
  done
done
