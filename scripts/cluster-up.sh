#!/usr/bin/env bash
# Builds (or reuses) the cluster tier's binaries and Courier's dist/, then starts the stack (etcd, kube-apiserver,
# kube-controller-manager, the CSI driver) and keeps it up until Ctrl-C. It writes STATE (default
# ./run/cluster.json); tests pick it up from COURIER_CLUSTER_STATE instead of starting their own stack.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
state="${1:-$root/run/cluster.json}"
mkdir -p "$(dirname "$state")"
cd "$root"
npm run build >/dev/null
bash scripts/build-cluster.sh
exec node_modules/.bin/node test/cluster/cluster-up.ts "$state"
