#!/usr/bin/env bash
# Builds the driver conformance harness (test/e2e/driver) into test/e2e/driver/bin/harness.
# Needs only Go and the Go module proxy: go.mod and go.sum pin every module, so a fresh machine
# downloads exactly those; the default GOPATH and build cache are used, so later builds are quick.
set -euo pipefail

dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/../test/e2e/driver" && pwd)"
if ! command -v go >/dev/null 2>&1; then
  echo "build-driver-harness: Go is not on PATH; install Go 1.26 or newer" >&2
  exit 1
fi
cd "$dir"
mkdir -p bin
# -mod=readonly: fail rather than edit go.mod/go.sum if they are out of date.
# -buildvcs=false: the harness sits inside Courier's repository; its VCS state is not the harness's.
# Built under a unique name and renamed into place, so a concurrent build or a running test never
# sees a half-written binary.
tmp="$(mktemp bin/.harness.XXXXXX)"
trap 'rm -f "$tmp"' EXIT
go build -mod=readonly -buildvcs=false -trimpath -o "$tmp" .
mv -f "$tmp" bin/harness
echo "build-driver-harness: built $dir/bin/harness" >&2
