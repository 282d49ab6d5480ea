#!/usr/bin/env bash
# A one-node Slurm cluster on this machine, for the slurm executor's tests: installs
# slurm-wlm and munge when missing, writes a cgroup-free slurm.conf for this node (its real CPUs
# and memory), starts munged, slurmctld and slurmd, and waits until the node is idle.
# Idempotent: a cluster already up is left as it is. Needs root (or passwordless sudo).
set -euo pipefail

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo -n"
CONF=/etc/slurm/slurm.conf
MARK="# written by icuda scripts/slurm-up.sh"

node_state() { sinfo -h -N -o '%t' 2>/dev/null | head -n1; }

if command -v sinfo >/dev/null && [[ "$(node_state)" =~ ^(idle|mix|alloc)$ ]]; then
  echo "slurm-up: already up ($(node_state))"; exit 0
fi

if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v munged >/dev/null; then
  echo "slurm-up: installing slurm-wlm and munge"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq slurm-wlm munge >/dev/null
fi

node=$(hostname -s)
if [ ! -f "$CONF" ] || grep -qF "$MARK" "$CONF"; then
  hw=$(slurmd -C | head -n1 | sed -E "s/^NodeName=[^ ]+ //; s/ UpTime=.*//")
  $SUDO mkdir -p /etc/slurm /var/spool/slurmctld /var/spool/slurmd /var/log/slurm
  $SUDO tee "$CONF" >/dev/null <<CONF
$MARK
ClusterName=icuda-test
SlurmctldHost=$node(127.0.0.1)
SlurmUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
MpiDefault=none
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
KillWait=2
NodeName=$node NodeAddr=127.0.0.1 $hw State=UNKNOWN
PartitionName=debug Nodes=$node Default=YES MaxTime=INFINITE State=UP
CONF
fi

if [ ! -s /etc/munge/munge.key ]; then
  $SUDO sh -c 'dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key 2>/dev/null'
  $SUDO chown munge:munge /etc/munge/munge.key && $SUDO chmod 400 /etc/munge/munge.key
fi
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
  $SUDO mkdir -p /run/munge && $SUDO chown munge:munge /run/munge
  $SUDO runuser -u munge -- /usr/sbin/munged
fi
scontrol ping 2>/dev/null | grep -q 'is UP' || $SUDO slurmctld
for _ in $(seq 1 30); do scontrol ping 2>/dev/null | grep -q 'is UP' && break; sleep 0.5; done
[ -f /run/slurmd.pid ] && kill -0 "$(cat /run/slurmd.pid)" 2>/dev/null || $SUDO slurmd

for _ in $(seq 1 60); do
  state=$(node_state)
  case "$state" in
    idle|mix|alloc) echo "slurm-up: node $node is $state"; exit 0 ;;
    down*|drain*) $SUDO scontrol update nodename="$node" state=resume 2>/dev/null || true ;;
  esac
  sleep 1
done
echo "slurm-up: node $node did not become idle (state: $(node_state)); see /var/log/slurm/" >&2
exit 1
