#!/usr/bin/env bash
# Runs a planned vop workflow (`sarkit cluster slurm vop … --workdir WD`) on this machine like run-local.sh (array tasks as
# processes, one at a time, stages in dependency order), each task under /usr/bin/time appending "task wall user sys
# peakRSS_KB" to WD/times.STAGE. Resumable: rerun it after an interruption; the job scripts skip finished tasks (their
# own skip checks), so only the missing work is redone. Stops at the first failed task (afterok).
#   nice -n 19 tools/scaleout/run-timed.sh WD
set -uo pipefail
wd=$(readlink -f "$1")
for script in "$wd"/0?-*.sbatch; do
  stage=$(basename "$script" .sbatch); stage=${stage#0?-}
  tasks=$(sed -n 's/^#SBATCH --array=1-\([0-9]*\).*/\1/p' "$script"); tasks=${tasks:-1}
  for i in $(seq 1 "$tasks"); do
    echo "$(date -u +%FT%TZ) $stage $i/$tasks" >&2
    SLURM_ARRAY_TASK_ID=$i SLURM_CPUS_PER_TASK=${SLURM_CPUS_PER_TASK:-1} /usr/bin/time -f "$i %e %U %S %M" -a -o "$wd/times.$stage" \
      bash "$script" > "$wd/logs/$stage.$i.local.out" 2>&1 || { echo "$stage task $i failed (see $wd/logs/$stage.$i.local.out)" >&2; exit 1; }
  done
done
echo "$(date -u +%FT%TZ) done" >&2
