#!/usr/bin/env bash
# Builds the cluster tier's binaries (etcd, kube-apiserver, kube-controller-manager, the Secrets Store CSI
# driver and the kubelet-csi client) from the wrapper modules under test/cluster/, caching them outside the
# clone, and links them into test/cluster/bin/.
#
# Each wrapper is built into ${COURIER_CLUSTER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/courier-cluster}/<wrapper>-<hash>/,
# where <hash> covers the wrapper's go.mod, go.sum, Go sources and build flags: a rerun (or a fresh clone of
# the same commit on this machine) only relinks; a changed wrapper builds again. Needs only Go and the Go
# module proxy. The first build of kube-apiserver and kube-controller-manager takes several minutes.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
src="$root/test/cluster"
cache="${COURIER_CLUSTER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/courier-cluster}"
bin="$src/bin"

if ! command -v go >/dev/null 2>&1; then
  echo "build-cluster: Go is not on PATH; install Go 1.26 or newer" >&2
  exit 1
fi
mkdir -p "$cache" "$bin"

# The version a module requires, read from its wrapper's go.mod ("k8s.io/kubernetes v1.37.2" -> v1.37.2).
required_version() {
  awk -v module="$1" '$1 == module || $2 == module { for (i = 1; i <= NF; i++) if ($i ~ /^v[0-9]/) { print $i; exit } }' "$2"
}

kube_version="$(required_version k8s.io/kubernetes "$src/kube/go.mod")"
kube_minor="$(echo "$kube_version" | cut -d. -f2)"
driver_version="$(required_version sigs.k8s.io/secrets-store-csi-driver "$src/driver/go.mod")"
# Clients read the server's version from these (kubectl version, client libraries' discovery, the
# apiserver's own compatibility-version checks); without them it reports v0.0.0-master.
kube_ldflags=""
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  kube_ldflags+=" -X $pkg.gitVersion=$kube_version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$kube_minor -X $pkg.gitTreeState=clean"
done
driver_ldflags="-X sigs.k8s.io/secrets-store-csi-driver/pkg/version.BuildVersion=$driver_version"

# wrapper_hash DIR FLAGS: a digest of every input of the wrapper's build.
wrapper_hash() {
  (
    cd "$1"
    find . -type f \( -name '*.go' -o -name 'go.mod' -o -name 'go.sum' \) -not -path './bin/*' | LC_ALL=C sort | xargs sha256sum
    echo "flags: $2"
    go env GOVERSION GOOS GOARCH
  ) | sha256sum | cut -c1-16
}

# build WRAPPER LDFLAGS NAME=PACKAGE...: builds each PACKAGE of test/cluster/WRAPPER into the cache as NAME
# (unless that exact build is cached) and links NAME into test/cluster/bin.
build() {
  local wrapper="$1" ldflags="$2"
  shift 2
  local dir="$src/$wrapper"
  local out="$cache/$wrapper-$(wrapper_hash "$dir" "$ldflags")"
  # One builder at a time per wrapper; a second waits and then finds the build cached.
  exec {lock}>"$cache/.$wrapper.lock"
  flock "$lock"
  if [ -f "$out/.complete" ]; then
    echo "build-cluster: $wrapper is cached in $out" >&2
  else
    local started=$SECONDS tmp
    tmp="$(mktemp -d "$cache/.$wrapper.XXXXXX")"
    echo "build-cluster: building $wrapper into $out (the first build takes minutes)" >&2
    local entry
    for entry in "$@"; do
      # -mod=readonly: fail rather than edit go.mod/go.sum; -trimpath: no local paths in the binaries;
      # -buildvcs=false: the wrappers sit inside Courier's repository, whose VCS state is not theirs.
      (cd "$dir" && go build -mod=readonly -buildvcs=false -trimpath -ldflags "$ldflags" -o "$tmp/${entry%%=*}" "${entry#*=}") || {
        rm -rf "$tmp"
        exit 1
      }
    done
    touch "$tmp/.complete"
    rm -rf "$out"
    mv "$tmp" "$out"
    echo "build-cluster: built $wrapper in $((SECONDS - started)) s" >&2
  fi
  for entry in "$@"; do
    ln -sfn "$out/${entry%%=*}" "$bin/${entry%%=*}"
  done
  flock -u "$lock"
  exec {lock}>&-
}

build etcd "" etcd=.
build kube "$kube_ldflags" kube-apiserver=k8s.io/kubernetes/cmd/kube-apiserver kube-controller-manager=k8s.io/kubernetes/cmd/kube-controller-manager
build driver "$driver_ldflags" secrets-store-csi-driver=sigs.k8s.io/secrets-store-csi-driver/cmd/secrets-store-csi-driver kubelet-csi=./kubelet
echo "build-cluster: binaries linked in $bin" >&2
