#!/usr/bin/env bash
# Installs helm (v3) into the project-local .tools/bin with `go install` through the Go module proxy.
# Idempotent: does nothing when the pinned version is already there. Usable by CI: `scripts/install-helm.sh`.
set -euo pipefail

HELM_VERSION="${HELM_VERSION:-v3.22.0}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${root}/.tools/bin"
helm="${bin}/helm"

if [[ -x "${helm}" ]] && "${helm}" version --template '{{.Version}}' 2>/dev/null | grep -qx "${HELM_VERSION}"; then
  echo "helm ${HELM_VERSION} already installed at ${helm}"
  exit 0
fi
command -v go >/dev/null || { echo "go is required to build helm (https://go.dev/dl/)" >&2; exit 1; }

mkdir -p "${bin}"
# helm reports its version from a linker flag; without it `helm version` says v3.x-dev-ish defaults.
GOBIN="${bin}" CGO_ENABLED=0 go install \
  -ldflags "-s -w -X helm.sh/helm/v3/internal/version.version=${HELM_VERSION}" \
  "helm.sh/helm/v3/cmd/helm@${HELM_VERSION}"
"${helm}" version --short
