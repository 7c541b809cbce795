#!/usr/bin/env bash
# Bring up a one-node SLURM cluster on this machine for tests/test_slurm.py.
#
#   bash .ci/slurm/start.sh            # prints "export SLURM_CONF=..." as its last line
#   bash .ci/slurm/stop.sh [--purge]
#
# Built for a fresh Debian machine where CI runs as root and there is no systemd: every
# daemon (munged, mariadbd, slurmdbd, slurmctld, slurmd) is started by hand with its files
# under one folder, so nothing of the system's own configuration is touched. Running it a
# second time keeps the daemons that are still up.
#
# Accounting (slurmdbd over a private MariaDB) is not optional here: submitit learns that a
# job has ended from `sacct`, and without it a job killed from outside (scancel, time
# limit) is never seen as finished and the launching process waits for ever.
#
# Environment:
#   STORESIM_SLURM_DIR    where config, state, logs and sockets live (default /tmp/storesim-slurm)
#   STORESIM_SLURM_PORTS  slurmctld, slurmd and slurmdbd ports (default "6817 6818 6819")
#   STORESIM_SLURM_NO_INSTALL=1  fail instead of installing missing Debian packages
set -euo pipefail

DIR=${STORESIM_SLURM_DIR:-/tmp/storesim-slurm}
read -r CTLD_PORT NODE_PORT DBD_PORT <<<"${STORESIM_SLURM_PORTS:-6817 6818 6819}"
CONF=$DIR/etc/slurm.conf
MUNGE_SOCKET=$DIR/munge/socket
DB_SOCKET=$DIR/db/mysqld.sock
# Each daemon gets this variable in its environment; stop.sh trusts a process only if it
# carries it, so it never signals a daemon somebody else started.
TAG="STORESIM_SLURM_OWNER=$DIR"
STARTED=$SECONDS

say() { echo "slurm: $*" >&2; }
fail() { echo "slurm: error: $*" >&2; exit 1; }

[[ $(id -u) == 0 ]] || fail "run as root: the cluster runs its daemons and jobs as root"

# --- Debian packages ------------------------------------------------------------------
packages=(munge slurmctld slurmd slurm-client slurmdbd mariadb-server-core mariadb-client-core)
absent=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" || absent+=("$package")
done
if ((${#absent[@]})); then
    [[ ${STORESIM_SLURM_NO_INSTALL:-0} != 1 ]] || fail "missing Debian packages: ${absent[*]}"
    say "installing ${absent[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # Where a policy-rc.d forbids it, the packages' scripts do not start the system's own
    # daemons; where it does not, they may, and the port check below says so.
    apt-get install -y -qq --no-install-recommends "${absent[@]}" >/dev/null
fi

# --- helpers --------------------------------------------------------------------------
# ours NAME PIDFILE: the pid in PIDFILE is a live NAME process started by this script.
ours() {
    local pid
    [[ -s $2 ]] || return 1
    pid=$(tr -cd 0-9 <"$2")
    [[ -n $pid && -r /proc/$pid/comm && $(</proc/$pid/comm) == "$1" ]] || return 1
    { tr '\0' '\n' <"/proc/$pid/environ"; } 2>/dev/null | grep -qxF "$TAG"
}
port_taken() { ss -Hltn "sport = :$1" | grep -q .; }
# until_ready SECONDS WHAT LOG COMMAND...: retry COMMAND; on time-out show LOG's tail.
until_ready() {
    local limit=$((SECONDS + $1)) what=$2 log=$3
    shift 3
    until "$@" >/dev/null 2>&1; do
        if ((SECONDS >= limit)); then
            tail -n 25 "$log" >&2 || true
            fail "$what did not come up within $1 s (log: $log)"
        fi
        sleep 0.3
    done
}
launch() { env "$TAG" "$@"; }

mkdir -p "$DIR"/{etc,run,log,db,munge,munge-key,spool/ctld,spool/node}
# munged refuses a socket folder others cannot enter, and a key others can read.
chmod 755 "$DIR" "$DIR/munge"
chmod 700 "$DIR/munge-key"
export SLURM_CONF=$CONF

# --- munge: authentication between the daemons and the commands -------------------------
[[ -s $DIR/munge-key/key ]] || mungekey --create --bits 1024 --keyfile "$DIR/munge-key/key"
chmod 600 "$DIR/munge-key/key"
if ! ours munged "$DIR/munge/pid"; then
    rm -f "$MUNGE_SOCKET" "$MUNGE_SOCKET.lock" "$DIR/munge/pid"
    launch munged --socket="$MUNGE_SOCKET" --key-file="$DIR/munge-key/key" --pid-file="$DIR/munge/pid" \
        --log-file="$DIR/log/munged.log" --seed-file="$DIR/munge/seed"
fi
until_ready 20 munged "$DIR/log/munged.log" bash -c "munge -S '$MUNGE_SOCKET' -n | unmunge -S '$MUNGE_SOCKET'"

# --- slurm.conf: this machine as the only node -------------------------------------------
hardware=$(slurmd -C | head -n 1)
field() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" <<<"$hardware"; }
# slurmd puts a node that reports less memory than RealMemory out of service: leave a margin.
memory=$(($(field RealMemory) * 9 / 10))
cat >"$CONF.new" <<EOF
# written by .ci/slurm/start.sh
ClusterName=storesim
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$CTLD_PORT
SlurmdPort=$NODE_PORT
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$MUNGE_SOCKET
StateSaveLocation=$DIR/spool/ctld
SlurmdSpoolDir=$DIR/spool/node
SlurmctldPidFile=$DIR/run/slurmctld.pid
SlurmdPidFile=$DIR/run/slurmd.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
MailProg=/bin/true
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
SlurmctldTimeout=30
SlurmdTimeout=30
# A cancelled job gets SIGTERM, then SIGKILL this many seconds later; submitit ignores
# SIGTERM, so with the default (30 s) a cancelled short job would simply finish.
KillWait=1
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=localhost
AccountingStoragePort=$DBD_PORT
# The commands (sacct, sacctmgr) and slurmctld reach slurmdbd through munge; this names our
# socket, otherwise they look for the system's /run/munge socket and fail.
AccountingStoragePass=$MUNGE_SOCKET
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$(field CPUs) Sockets=$(field SocketsPerBoard) CoresPerSocket=$(field CoresPerSocket) ThreadsPerCore=$(field ThreadsPerCore) RealMemory=$memory State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
reconfigure=0
if cmp -s "$CONF.new" "$CONF"; then rm "$CONF.new"; else mv "$CONF.new" "$CONF"; reconfigure=1; fi

# --- accounting: MariaDB on a unix socket only, and slurmdbd -----------------------------
if [[ ! -d $DIR/db/data/mysql ]]; then
    rm -rf "$DIR/db/data"
    mariadb-install-db --no-defaults --user=root --datadir="$DIR/db/data" --skip-test-db \
        --auth-root-authentication-method=normal >"$DIR/log/mariadb-install.log" 2>&1 \
        || { tail -n 20 "$DIR/log/mariadb-install.log" >&2; fail "mariadb-install-db failed"; }
fi
if ! ours mariadbd "$DIR/db/pid"; then
    rm -f "$DB_SOCKET" "$DIR/db/pid"
    # --skip-networking: no TCP port to collide with a MariaDB the machine may already run.
    setsid env "$TAG" mariadbd --no-defaults --user=root --datadir="$DIR/db/data" --socket="$DB_SOCKET" \
        --pid-file="$DIR/db/pid" --log-error="$DIR/log/mariadb.log" --skip-networking --skip-log-bin \
        --innodb-buffer-pool-size=128M --innodb-lock-wait-timeout=900 </dev/null >/dev/null 2>&1 &
fi
until_ready 60 mariadbd "$DIR/log/mariadb.log" mariadb --no-defaults --socket="$DB_SOCKET" -uroot -e "select 1"

cat >"$DIR/etc/slurmdbd.conf" <<EOF
AuthType=auth/munge
AuthInfo=socket=$MUNGE_SOCKET
DbdHost=localhost
DbdPort=$DBD_PORT
SlurmUser=root
PidFile=$DIR/run/slurmdbd.pid
LogFile=$DIR/log/slurmdbd.log
StorageType=accounting_storage/mysql
StorageHost=localhost
StorageUser=root
StorageLoc=storesim_slurm_acct
EOF
chmod 600 "$DIR/etc/slurmdbd.conf"  # slurmdbd will not read a config others can read
if ! ours slurmdbd "$DIR/run/slurmdbd.pid"; then
    port_taken "$DBD_PORT" && fail "port $DBD_PORT (slurmdbd) is in use; set STORESIM_SLURM_PORTS"
    # slurmdbd finds slurmdbd.conf beside SLURM_CONF; with StorageHost=localhost the MariaDB
    # client library takes the unix socket that MYSQL_UNIX_PORT names.
    launch SLURM_CONF="$CONF" MYSQL_UNIX_PORT="$DB_SOCKET" slurmdbd
fi
until_ready 60 slurmdbd "$DIR/log/slurmdbd.log" sacctmgr --noheader list cluster
sacctmgr --noheader --parsable2 list cluster format=cluster | grep -qx storesim \
    || sacctmgr --immediate add cluster storesim >/dev/null

# --- the controller and the node ---------------------------------------------------------
if ! ours slurmctld "$DIR/run/slurmctld.pid"; then
    port_taken "$CTLD_PORT" && fail "port $CTLD_PORT (slurmctld) is in use; set STORESIM_SLURM_PORTS"
    launch slurmctld -f "$CONF"
elif ((reconfigure)); then
    scontrol reconfigure || true
fi
until_ready 30 slurmctld "$DIR/log/slurmctld.log" bash -c "scontrol ping | grep -q 'is UP'"

if ! ours slurmd "$DIR/run/slurmd.pid"; then
    port_taken "$NODE_PORT" && fail "port $NODE_PORT (slurmd) is in use; set STORESIM_SLURM_PORTS"
    launch slurmd -f "$CONF" -N localhost
fi
limit=$((SECONDS + 30))
until sinfo --noheader --nodes=localhost --format=%T | grep -Eq '^(idle|mixed|allocated|completing)'; do
    state=$(sinfo --noheader --nodes=localhost --format=%T 2>/dev/null || true)
    # A node left down or drained by an earlier run is put back into service.
    [[ $state == down* || $state == drain* ]] && scontrol update nodename=localhost state=resume >/dev/null 2>&1
    ((SECONDS < limit)) || { tail -n 20 "$DIR/log/slurmd.log" >&2; fail "the node stays '$state'"; }
    sleep 0.3
done

echo "export SLURM_CONF=$CONF" >"$DIR/env.sh"
timeout 60 srun --time=1 --ntasks=1 true || fail "a first job (srun true) did not run"
say "cluster up in $((SECONDS - STARTED)) s: $(sinfo --noheader --format='%P %D %T')"
echo "export SLURM_CONF=$CONF"
