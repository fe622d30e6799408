#!/bin/bash
# Is `pulse check` of a large streamed waveform bound by the disk? (issue 18). One run, alternating, page cache dropped before
# every timed read (root): raw sequential reads of the SAME file (dd O_DIRECT with 8 MiB and 64 MiB requests, two dd's on the
# two halves at once, `SarKit.Bench disk-read` with 4 and 8 O_DIRECT reads in flight) and `pulse check FILE --vops VOPS`
# (SARKIT_TIMING=1 phases, /usr/bin/time wall/CPU/peak RSS). Then, for information, a warm page cache: the file read once
# buffered (if it fits in memory), then `pulse check` with SARKIT_NO_DIRECT_IO=1 (buffered reads from the cache) and a
# buffered dd. Prints one line per run with the 1-minute load average before -> after.
# usage: bench/wave_bound.sh WAVE.npy VOPS.h5 CLI.dll BENCH.dll [ROUNDS=2] [OUTDIR=/tmp]
set -u
F=$1 V=$2 CLI=$3 BENCH=$4 R=${5:-2} OUT=${6:-/tmp}
SIZE=$(stat -c %s "$F")
HALF=$(( (SIZE / 2) / (8 << 20) ))        # 8 MiB blocks in the first half
drop() { sync; echo 3 > /proc/sys/vm/drop_caches; }
load() { cut -d' ' -f1 /proc/loadavg; }
timed() {  # name, command...: prints wall, GB/s, CPU, load
  local name=$1; shift
  local l0 t0 t1
  l0=$(load); t0=$(date +%s.%N)
  /usr/bin/time -f "%e %U %S %M" -o "$OUT/wb_time" "$@" > "$OUT/wb_$name.out" 2> "$OUT/wb_$name.err"
  local rc=$?
  t1=$(date +%s.%N)
  read -r w u s m < "$OUT/wb_time"
  printf "%s %-22s rc %d wall %6.2f s = %5.2f GB/s  cpu %5.2f s (user %s sys %s) rss %s MB  load %s -> %s %s\n" \
    "$(date -u +%H:%M:%S)" "$name" "$rc" "$w" "$(awk -v a="$SIZE" -v b="$w" 'BEGIN{print a/b/1e9}')" "$(awk -v a="$u" -v b="$s" 'BEGIN{print a+b}')" "$u" "$s" "$((m / 1024))" "$l0" "$(load)" \
    "$(grep -o 'waited [0-9.]*' "$OUT/wb_$name.err" | head -1)"
}
echo "wave_bound $F ($SIZE bytes) $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, load $(cat /proc/loadavg)"
for r in $(seq 1 "$R"); do
  drop; timed "dd-8M-r$r" dd if="$F" of=/dev/null bs=8M iflag=direct
  drop; SARKIT_TIMING=1 timed "pulse-check-a-r$r" dotnet "$CLI" pulse check "$F" --vops "$V" --json
  drop; timed "dd-64M-r$r" dd if="$F" of=/dev/null bs=64M iflag=direct
  drop; timed "dd-2halves-r$r" bash -c "dd if='$F' of=/dev/null bs=8M iflag=direct count=$HALF & dd if='$F' of=/dev/null bs=8M iflag=direct skip=$HALF; wait"
  drop; SARKIT_TIMING=1 timed "pulse-check-b-r$r" dotnet "$CLI" pulse check "$F" --vops "$V" --json
  drop; timed "disk-read-4x8M-r$r" dotnet "$BENCH" disk-read "$F" --threads 4 --modes striped --chunk 8M
  drop; timed "disk-read-8x8M-r$r" dotnet "$BENCH" disk-read "$F" --threads 8 --modes striped --chunk 8M
done
echo "--- warm page cache (information; O_DIRECT bypasses the cache, so these runs read buffered) ---"
free -g | sed -n 2p
timed "fill-cache" dd if="$F" of=/dev/null bs=8M
timed "dd-buffered-warm" dd if="$F" of=/dev/null bs=8M
SARKIT_TIMING=1 SARKIT_NO_DIRECT_IO=1 timed "pulse-check-warm-1" dotnet "$CLI" pulse check "$F" --vops "$V" --json
SARKIT_TIMING=1 SARKIT_NO_DIRECT_IO=1 timed "pulse-check-warm-2" dotnet "$CLI" pulse check "$F" --vops "$V" --json
timed "dd-buffered-warm-2" dd if="$F" of=/dev/null bs=8M
drop
