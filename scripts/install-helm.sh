#!/usr/bin/env bash
# Installs helm (v3) into the project-local .tools/bin with `go install` through the Go module proxy.
# Idempotent: does nothing when the pinned version is already there. Usable by CI: `scripts/install-helm.sh`.
set -euo pipefail

HELM_VERSION="${HELM_VERSION:-v3.22.0}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${root}/.tools/bin"
helm="${bin}/helm"
stamp="${bin}/.helm-version"

if [[ -x "${helm}" && -f "${stamp}" && "$(cat "${stamp}")" == "${HELM_VERSION}" ]]; then
  echo "helm ${HELM_VERSION} already installed at ${helm}"
  exit 0
fi
command -v go >/dev/null || { echo "go is required to build helm (https://go.dev/dl/)" >&2; exit 1; }

# helm's release builds stamp their version and the Kubernetes version of their client libraries (the
# default for `helm template` and `helm lint`) through linker flags; do the same, or helm assumes v1.20.
gomod="$(go mod download -json "helm.sh/helm/v3@${HELM_VERSION}" | sed -n 's/.*"GoMod": "\(.*\)",*/\1/p')"
k8s_minor="$(sed -n 's/^[[:space:]]*k8s\.io\/client-go v0\.\([0-9]*\)\..*/\1/p' "${gomod}")"
[[ -n "${k8s_minor}" ]] || { echo "cannot tell helm ${HELM_VERSION}'s Kubernetes version from ${gomod}" >&2; exit 1; }

mkdir -p "${bin}"
ldflags="-s -w -X helm.sh/helm/v3/internal/version.version=${HELM_VERSION}"
for pkg in helm.sh/helm/v3/pkg/lint/rules helm.sh/helm/v3/pkg/chartutil; do
  ldflags+=" -X ${pkg}.k8sVersionMajor=1 -X ${pkg}.k8sVersionMinor=${k8s_minor}"
done
GOBIN="${bin}" CGO_ENABLED=0 go install -trimpath -ldflags "${ldflags}" "helm.sh/helm/v3/cmd/helm@${HELM_VERSION}"
echo "${HELM_VERSION}" > "${stamp}"
"${helm}" version --short
