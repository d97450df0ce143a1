#!/usr/bin/env bash
# raftd against etcd on this machine: installs etcd (Debian's etcd-server) if it is missing,
# builds raftsh, and runs `raftsh bench compare`, which starts a 3-node etcd cluster and a 3-node
# raftd cluster on loopback (fsync on), runs the same sequential and concurrent put loads against
# both through one load generator, and prints the figures, the floor and the ratios.
#
#   bench/etcd-compare.sh [--ops N] [--clients N] [--duration 10s]
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v etcd >/dev/null 2>&1; then
    echo "installing etcd-server (apt)" >&2
    apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y etcd-server >&2
    # The package starts a system etcd on the default ports; the bench uses its own members.
    systemctl stop etcd >/dev/null 2>&1 || pkill -x etcd || true
fi
make build >&2
exec .build/release/raftsh bench compare --etcd "$(command -v etcd)" "$@"
