#!/usr/bin/env bash
# Stop the cluster that .ci/slurm/start.sh started (same STORESIM_SLURM_DIR); with --purge
# also remove its folder (config, state, database, logs).
#
# Only processes that start.sh launched are signalled, each by its pid: the daemons named
# in their pid files, then whatever else carries start.sh's tag in its environment
# (slurmstepd of a killed job, slurmscriptd).
set -uo pipefail

DIR=${STORESIM_SLURM_DIR:-/tmp/storesim-slurm}
TAG="STORESIM_SLURM_OWNER=$DIR"
export SLURM_CONF=$DIR/etc/slurm.conf

say() { echo "slurm: $*" >&2; }
tagged() { { tr '\0' '\n' <"/proc/$1/environ"; } 2>/dev/null | grep -qxF "$TAG"; }
# pid_in NAME PIDFILE: the pid in PIDFILE, if it is a live NAME process of ours.
pid_in() {
    local pid
    [[ -s $2 ]] || return 1
    pid=$(tr -cd 0-9 <"$2")
    [[ -n $pid && -r /proc/$pid/comm && $(</proc/$pid/comm) == "$1" ]] && tagged "$pid" && echo "$pid"
}
# ended PID: no such process, or only a zombie left for its parent to reap.
ended() {
    local state
    state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 0
    [[ -z $state || $state == Z ]]
}
stop() {
    local i
    kill -TERM "$1" 2>/dev/null || return 0
    for ((i = 0; i < 150; i++)); do ended "$1" && return 0; sleep 0.1; done
    say "$2 ($1) still running 15 s after SIGTERM: SIGKILL"
    kill -KILL "$1" 2>/dev/null
}

# Jobs first, while the controller can still cancel them.
if pid_in slurmctld "$DIR/run/slurmctld.pid" >/dev/null; then
    queued=$(squeue --noheader --format=%A 2>/dev/null | sort -u)
    if [[ -n $queued ]]; then
        scancel $queued 2>/dev/null
        for ((i = 0; i < 50; i++)); do [[ -z $(squeue --noheader 2>/dev/null) ]] && break; sleep 0.2; done
    fi
fi

for daemon in "slurmd run/slurmd.pid" "slurmctld run/slurmctld.pid" "slurmdbd run/slurmdbd.pid" \
              "mariadbd db/pid" "munged munge/pid"; do
    read -r name file <<<"$daemon"
    if pid=$(pid_in "$name" "$DIR/$file"); then stop "$pid" "$name"; fi
    rm -f "$DIR/$file"
done

# Left-overs: only SLURM, munge and MariaDB processes are looked at.
for proc in /proc/[0-9]*; do
    pid=${proc#/proc/}
    name=$(cat "$proc/comm" 2>/dev/null) || continue
    case $name in slurm* | munged | mariadbd) tagged "$pid" && stop "$pid" "$name" ;; esac
done

if [[ ${1:-} == --purge ]]; then rm -rf "$DIR"; fi
say "stopped"
