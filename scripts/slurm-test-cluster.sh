#!/usr/bin/env bash
# A throwaway single-node Slurm cluster for the Slurm workflow test (tests/SarKit.Tests/Workflows/SlurmClusterTests.cs):
# munged, slurmctld and slurmd from Debian (munge, slurmctld, slurmd, slurm-client; installed by scripts/setup-test.sh),
# run as root, on 127.0.0.1 only, everything (key, socket, config, state, logs, pid files) inside DIR, ports from
# SARKIT_SLURM_PORT (default 46817: controller, +1: slurmd). No system service or system-wide file is touched.
#   eval "$(bash scripts/slurm-test-cluster.sh start DIR)"   # prints: export SLURM_CONF=DIR/slurm.conf
#   sbatch …; squeue …
#   bash scripts/slurm-test-cluster.sh stop DIR                # stops the three daemons by their pid files
set -uo pipefail
cmd=${1:-}; dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }
stop_pid() { local f=$1 p; [ -s "$f" ] || return 0; p=$(cat "$f"); kill "$p" 2>/dev/null || return 0
  for _ in $(seq 1 50); do kill -0 "$p" 2>/dev/null || return 0; sleep 0.1; done; kill -9 "$p" 2>/dev/null; return 0; }
case "$cmd" in
  start)
    [ "$(id -u)" = 0 ] || { echo "slurm-test-cluster: needs root (slurmd runs jobs as their users)" >&2; exit 1; }
    for t in munged slurmctld slurmd sbatch scontrol; do command -v "$t" >/dev/null || [ -x "/usr/sbin/$t" ] || { echo "slurm-test-cluster: $t not found" >&2; exit 1; }; done
    PATH="$PATH:/usr/sbin"
    mkdir -p "$dir"/{state,spool,munge} && chmod 700 "$dir/munge"
    port=${SARKIT_SLURM_PORT:-46817}
    cpus=$(nproc); mem=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 ))
    host=$(hostname -s)
    dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 2>/dev/null && chmod 400 "$dir/munge/munge.key"
    munged --force --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.socket" --pid-file="$dir/munge/munged.pid" \
      --log-file="$dir/munge/munged.log" --seed-file="$dir/munge/munged.seed" >"$dir/munged.out" 2>&1 \
      || { echo "slurm-test-cluster: munged failed:" >&2; cat "$dir/munged.out" "$dir/munge/munged.log" >&2 2>/dev/null; exit 1; }
    cat >"$dir/slurm.conf" <<EOF
ClusterName=sarkittest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
AuthType=auth/munge
AuthInfo=socket=$dir/munge/munge.socket
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
ReturnToService=2
SlurmdTimeout=30
InactiveLimit=0
MinJobAge=300
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=sarkit Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
    export SLURM_CONF="$dir/slurm.conf"
    slurmctld -f "$SLURM_CONF" -i >"$dir/slurmctld.out" 2>&1 || { echo "slurm-test-cluster: slurmctld failed:" >&2; tail -20 "$dir/slurmctld.log" "$dir/slurmctld.out" >&2; "$0" stop "$dir"; exit 1; }
    slurmd -f "$SLURM_CONF" >"$dir/slurmd.out" 2>&1 || { echo "slurm-test-cluster: slurmd failed:" >&2; tail -20 "$dir/slurmd.log" "$dir/slurmd.out" >&2; "$0" stop "$dir"; exit 1; }
    # wait (≤ 60 s) until the node is idle
    for _ in $(seq 1 120); do
      state=$(sinfo -h -N -o '%T' 2>/dev/null | head -1)
      case "$state" in idle*|mixed*|allocated*) echo "export SLURM_CONF='$SLURM_CONF'"; exit 0 ;; esac
      sleep 0.5
    done
    echo "slurm-test-cluster: node not idle after 60 s (state '${state:-none}'):" >&2; tail -20 "$dir/slurmctld.log" "$dir/slurmd.log" >&2
    "$0" stop "$dir"; exit 1
    ;;
  stop)
    [ -f "$dir/slurm.conf" ] && SLURM_CONF="$dir/slurm.conf" timeout 10 scancel --user=root >/dev/null 2>&1
    stop_pid "$dir/slurmd.pid"; stop_pid "$dir/slurmctld.pid"; stop_pid "$dir/munge/munged.pid"
    exit 0
    ;;
  *) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
