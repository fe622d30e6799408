#!/usr/bin/env bash
# Background generation of the 3D surrogate dataset: runs tools/surrogate3d/run_subject.py for every subject of
# tools/surrogate3d/subjects.txt (or $SUBJECTS), skipping finished (<outdir>/<id>.json) and refused (<id>.failed.json)
# subjects; resumable (per-channel checkpoints); stops after the current subject when <workdir>/STOP exists.
#
#   setsid nohup tools/surrogate3d/run_batch.sh >/dev/null 2>&1 &      # log: /work/surrogate3d-work/batch.log
#
# Environment: WORKDIR (/work/surrogate3d-work), OUTDIR (/work/surrogate3d-out), THREADS (openEMS threads per channel run, 1),
# PARALLEL (channel runs side by side, 2; docs/surrogate3d-dataset.md "Throughput"), NICE (19),
# SUBJECTS (list file), RETRY_FAILED=1 to rerun refused subjects, CLUSTER_INDEX=i to run only the i-th subject
# (0-based; for a cluster array job, e.g. SLURM_ARRAY_TASK_ID).
set -u
here="$(cd "$(dirname "$(readlink -f "$0")")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
WORKDIR="${WORKDIR:-/work/surrogate3d-work}"
OUTDIR="${OUTDIR:-/work/surrogate3d-out}"
THREADS="${THREADS:-1}"
PARALLEL="${PARALLEL:-2}"
NICE="${NICE:-19}"
SUBJECTS="${SUBJECTS:-$here/subjects.txt}"
mkdir -p "$WORKDIR" "$OUTDIR"
log="$WORKDIR/batch.log"
exec 9>"$WORKDIR/batch.lock"
if [ -z "${CLUSTER_INDEX:-}" ] && ! flock -n 9; then echo "run_batch: another batch holds $WORKDIR/batch.lock" >&2; exit 3; fi
say() { echo "[$(date -u +%FT%TZ)] $*" >>"$log"; }
# build the CLI once (the model generator) before the loop
"$repo/sarkit" --version >/dev/null 2>&1 || { say "cannot build/run $repo/sarkit"; exit 1; }
mapfile -t lines < <(grep -v '^\s*#' "$SUBJECTS" | grep -v '^\s*$')
if [ -n "${CLUSTER_INDEX:-}" ]; then lines=("${lines[$CLUSTER_INDEX]}"); fi
say "batch start: ${#lines[@]} subjects, workdir $WORKDIR, outdir $OUTDIR, threads $THREADS x $PARALLEL channels, nice $NICE"
for line in "${lines[@]}"; do
  read -r fam seed variant extra <<<"$line"      # optional: a variant tag and OOD options (ood_variants.txt)
  id="$(printf '%s%05d' "$fam" "$seed")${variant:+-$variant}"
  if [ -f "$WORKDIR/STOP" ]; then say "STOP file found; stopping before $id"; break; fi
  [ -f "$OUTDIR/$id.json" ] && continue
  if [ -f "$OUTDIR/$id.failed.json" ] && [ "${RETRY_FAILED:-0}" != 1 ]; then continue; fi
  say "$id: start"
  t0=$(date +%s)
  nice -n "$NICE" /usr/bin/python3 "$here/run_subject.py" --family "$fam" --seed "$seed" --workdir "$WORKDIR" \
      --outdir "$OUTDIR" --threads "$THREADS" --parallel-channels "$PARALLEL" --sarkit "$repo/sarkit" --verbose 1 ${variant:+--variant "$variant"} $extra >>"$log" 2>&1
  rc=$?
  say "$id: exit $rc after $(( $(date +%s) - t0 )) s"
done
say "batch end"
