#!/usr/bin/env bash
# Installs promtool (Prometheus's rule and config checker) into the project-local .tools/bin with `go install`
# through the Go module proxy, for `promtool check rules` on the chart's PrometheusRule in the e2e tier.
# Idempotent: does nothing when the pinned version is there. The first build takes several minutes; Go's
# module and build caches make a rebuild after a clean clone quick.
set -euo pipefail

# Prometheus v3's Go module versions are v0.3XX.Y.
PROMETHEUS_MODULE_VERSION="${PROMETHEUS_MODULE_VERSION:-v0.316.0}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${root}/.tools/bin"
promtool="${bin}/promtool"
stamp="${bin}/.promtool-version"

if [[ -x "${promtool}" && -f "${stamp}" && "$(cat "${stamp}")" == "${PROMETHEUS_MODULE_VERSION}" ]]; then
  echo "promtool ${PROMETHEUS_MODULE_VERSION} already installed at ${promtool}"
  exit 0
fi
command -v go >/dev/null || { echo "go is required to build promtool (https://go.dev/dl/)" >&2; exit 1; }

mkdir -p "${bin}"
GOBIN="${bin}" CGO_ENABLED=0 go install -trimpath -ldflags "-s -w" "github.com/prometheus/prometheus/cmd/promtool@${PROMETHEUS_MODULE_VERSION}"
echo "${PROMETHEUS_MODULE_VERSION}" > "${stamp}"
"${promtool}" --version | head -1
