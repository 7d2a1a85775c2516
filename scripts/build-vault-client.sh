#!/usr/bin/env bash
# Builds the Vault client check (test/e2e/vault-client) into test/e2e/vault-client/bin/vault-client:
# HashiCorp's official Go client driving Courier's fake Vault. Needs only Go and the Go module proxy:
# go.mod and go.sum pin every module; the default GOPATH and build cache make later builds quick.
set -euo pipefail

dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/../test/e2e/vault-client" && pwd)"
if ! command -v go >/dev/null 2>&1; then
  echo "build-vault-client: Go is not on PATH; install Go 1.26 or newer" >&2
  exit 1
fi
cd "$dir"
mkdir -p bin
# -mod=readonly: fail rather than edit go.mod/go.sum if they are out of date.
# -buildvcs=false: the program sits inside Courier's repository; its VCS state is not the program's.
# Built under a unique name and renamed into place, so a concurrent build or a running test never
# sees a half-written binary.
tmp="$(mktemp bin/.vault-client.XXXXXX)"
trap 'rm -f "$tmp"' EXIT
go build -mod=readonly -buildvcs=false -trimpath -o "$tmp" .
mv -f "$tmp" bin/vault-client
echo "build-vault-client: built $dir/bin/vault-client" >&2
