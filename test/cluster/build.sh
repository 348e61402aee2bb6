#!/usr/bin/env bash
# Builds the test cluster's components from the pinned wrapper modules in test/cluster/go/ and caches them
# under ~/.cache/kube-events/<component>-<version>/, so a warm run only checks that they exist:
#   etcd, etcdctl                     go/etcd
#   kube-apiserver, kube-controller-manager, kube-scheduler   go/kube-apiserver (one k8s.io/kubernetes pin)
#   kwok (fake nodes and pod lifecycles)                      go/kwok
#   demo-controller (our Website controller, keyed by a hash of its source)   go/demo-controller
#   demo-controller-debug (the same, built for a debugger: -N -l, full paths)    go/demo-controller
#   dlv (Delve, the Go debugger the debugging tests run as `dlv dap`)            go/delve
# `build.sh --bare` builds only etcd, etcdctl and kube-apiserver.
# Prints the path of each binary as KEY=path lines (read by controlPlane.ts).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${KUBE_EVENTS_CACHE:-$HOME/.cache/kube-events}
full=1
case "${1:-}" in
  --bare) full=0 ;;
  '') ;;
  *) echo "usage: build.sh [--bare]" >&2; exit 2 ;;
esac
version_of() { awk -v m="$1" '($1 == "require" && $2 == m) { print $3; exit } ($1 == m && $2 ~ /^v/) { print $2; exit }' "$2"; }
k8s_version=$(version_of 'k8s.io/kubernetes' "$here/go/kube-apiserver/go.mod")
etcd_version=$(version_of 'go.etcd.io/etcd/server/v3' "$here/go/etcd/go.mod")
kwok_version=$(version_of 'sigs.k8s.io/kwok' "$here/go/kwok/go.mod")
delve_version=$(version_of 'github.com/go-delve/delve' "$here/go/delve/go.mod")
[ -n "$k8s_version" ] && [ -n "$etcd_version" ] && [ -n "$kwok_version" ] && [ -n "$delve_version" ] || { echo "build.sh: cannot read pinned versions from go.mod" >&2; exit 1; }

export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod
export PATH="$PATH:/usr/local/go/bin"  # where Go lives on this kind of machine
build() { # dir module output [ldflags] [gcflags: a debug build, neither stripped nor trimmed]
  local dir=$1 pkg=$2 out=$3 ldflags=${4:-} gcflags=${5:-}
  [ -x "$out" ] && return 0
  echo "build.sh: building $(basename "$out") ($pkg) - several minutes on a cold cache" >&2
  local start=$SECONDS
  if [ -n "$gcflags" ]; then
    (cd "$dir" && go build -gcflags "$gcflags" -o "$out.tmp" "$pkg") && mv "$out.tmp" "$out"
  else
    (cd "$dir" && go build -trimpath -ldflags "-s -w $ldflags" -o "$out.tmp" "$pkg") && mv "$out.tmp" "$out"
  fi
  echo "build.sh: built $(basename "$out") in $((SECONDS - start)) s" >&2
}
kdir="$cache/kubernetes-$k8s_version"; edir="$cache/etcd-$etcd_version"
mkdir -p "$kdir" "$edir"
minor=$(echo "$k8s_version" | cut -d. -f2)
k8s_ldflags="-X k8s.io/component-base/version.gitVersion=$k8s_version -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor"
build "$here/go/etcd" go.etcd.io/etcd/server/v3 "$edir/etcd"
build "$here/go/etcd" go.etcd.io/etcd/etcdctl/v3 "$edir/etcdctl"
build "$here/go/kube-apiserver" k8s.io/kubernetes/cmd/kube-apiserver "$kdir/kube-apiserver" "$k8s_ldflags"
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
[ "$full" = 1 ] || exit 0

build "$here/go/kube-apiserver" k8s.io/kubernetes/cmd/kube-controller-manager "$kdir/kube-controller-manager" "$k8s_ldflags"
build "$here/go/kube-apiserver" k8s.io/kubernetes/cmd/kube-scheduler "$kdir/kube-scheduler" "$k8s_ldflags"
wdir="$cache/kwok-$kwok_version"; mkdir -p "$wdir"
build "$here/go/kwok" sigs.k8s.io/kwok/cmd/kwok "$wdir/kwok"
# Our own code: keyed by a hash of its sources, so an edit rebuilds it.
demo_hash=$(cd "$here/go/demo-controller" && cat go.mod go.sum $(find . -name '*.go' | sort) | sha256sum | cut -c1-12)
ddir="$cache/demo-controller-$demo_hash"; mkdir -p "$ddir"
build "$here/go/demo-controller" . "$ddir/demo-controller"
# For Delve: optimisations and inlining off, symbols kept, and no -trimpath, so the binary's file paths are
# this checkout's and a breakpoint set on main.go binds. Hence keyed by the checkout's path too.
debug_hash=$( (echo "$here"; cd "$here/go/demo-controller" && cat go.mod go.sum $(find . -name '*.go' | sort)) | sha256sum | cut -c1-12)
gdir="$cache/demo-controller-debug-$debug_hash"; mkdir -p "$gdir"
build "$here/go/demo-controller" . "$gdir/demo-controller" "" "all=-N -l"
vdir="$cache/delve-$delve_version"; mkdir -p "$vdir"
build "$here/go/delve" github.com/go-delve/delve/cmd/dlv "$vdir/dlv"
echo "KUBE_CONTROLLER_MANAGER=$kdir/kube-controller-manager"
echo "KUBE_SCHEDULER=$kdir/kube-scheduler"
echo "KWOK=$wdir/kwok"
echo "DEMO_CONTROLLER=$ddir/demo-controller"
echo "DEMO_CONTROLLER_DEBUG=$gdir/demo-controller"
echo "DLV=$vdir/dlv"
