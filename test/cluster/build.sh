#!/usr/bin/env bash
# Builds kube-apiserver, etcd and etcdctl from the pinned wrapper modules in test/cluster/go/ and caches
# them under ~/.cache/kube-events/<component>-<version>/, so a warm run only checks that they exist.
# Prints the directory of each binary as KEY=path lines (sourced by the Node harness).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${KUBE_EVENTS_CACHE:-$HOME/.cache/kube-events}
version_of() { awk -v m="$1" '($1 == "require" && $2 == m) { print $3; exit } ($1 == m && $2 ~ /^v/) { print $2; exit }' "$2"; }
k8s_version=$(version_of 'k8s.io/kubernetes' "$here/go/kube-apiserver/go.mod")
etcd_version=$(version_of 'go.etcd.io/etcd/server/v3' "$here/go/etcd/go.mod")
[ -n "$k8s_version" ] && [ -n "$etcd_version" ] || { echo "build.sh: cannot read pinned versions from go.mod" >&2; exit 1; }

export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod
export PATH="$PATH:/usr/local/go/bin"  # where Go lives on this kind of machine
build() { # dir module output [ldflags]
  local dir=$1 pkg=$2 out=$3 ldflags=${4:-}
  [ -x "$out" ] && return 0
  echo "build.sh: building $(basename "$out") ($pkg) - several minutes on a cold cache" >&2
  local start=$SECONDS
  (cd "$dir" && go build -trimpath -ldflags "-s -w $ldflags" -o "$out.tmp" "$pkg") && mv "$out.tmp" "$out"
  echo "build.sh: built $(basename "$out") in $((SECONDS - start)) s" >&2
}
kdir="$cache/kubernetes-$k8s_version"; edir="$cache/etcd-$etcd_version"
mkdir -p "$kdir" "$edir"
minor=$(echo "$k8s_version" | cut -d. -f2)
build "$here/go/etcd" go.etcd.io/etcd/server/v3 "$edir/etcd"
build "$here/go/etcd" go.etcd.io/etcd/etcdctl/v3 "$edir/etcdctl"
build "$here/go/kube-apiserver" k8s.io/kubernetes/cmd/kube-apiserver "$kdir/kube-apiserver" \
  "-X k8s.io/component-base/version.gitVersion=$k8s_version -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor"
# client-go's EventCorrelator behind JSON (the correlator's differential test), cached per source hash so an
# edit rebuilds it. Optional: if it does not build, the control plane still starts and that test says why.
odir="$here/go/correlator-oracle"
oout="$cache/correlator-oracle-$(cat "$odir/go.mod" "$odir/go.sum" "$odir/main.go" | sha256sum | cut -c1-12)/correlator-oracle"
mkdir -p "$(dirname "$oout")"
build "$odir" . "$oout" || echo "build.sh: correlator-oracle did not build" >&2
[ -x "$oout" ] && echo "CORRELATOR_ORACLE=$oout"
echo "KUBE_APISERVER=$kdir/kube-apiserver"
echo "ETCD=$edir/etcd"
echo "ETCDCTL=$edir/etcdctl"
