#!/usr/bin/env bash
# Installs kustomize (v5) into the project-local .tools/bin with `go install` through the Go module proxy.
# Idempotent. The manifest tests use it, or `kubectl kustomize` when kubectl is on PATH instead.
set -euo pipefail

KUSTOMIZE_VERSION="${KUSTOMIZE_VERSION:-v5.8.2}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${root}/.tools/bin"
kustomize="${bin}/kustomize"

if [[ -x "${kustomize}" ]] && [[ "$("${kustomize}" version 2>/dev/null)" == "${KUSTOMIZE_VERSION}" ]]; then
  echo "kustomize ${KUSTOMIZE_VERSION} already installed at ${kustomize}"
  exit 0
fi
command -v go >/dev/null || { echo "go is required to build kustomize (https://go.dev/dl/)" >&2; exit 1; }

mkdir -p "${bin}"
GOBIN="${bin}" CGO_ENABLED=0 go install \
  -ldflags "-s -w -X sigs.k8s.io/kustomize/api/provenance.version=${KUSTOMIZE_VERSION}" \
  "sigs.k8s.io/kustomize/kustomize/v5@${KUSTOMIZE_VERSION}"
"${kustomize}" version
