#!/usr/bin/env bash
# Builds the kube-apiserver and etcd that internal/controlplane runs, from the pinned tools modules, into a cache
# keyed by version: a warm run only checks that the files exist, and changing a pin produces a new file name.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin_dir="${XDG_CACHE_HOME:-$HOME/.cache}/egress-mesh/bin"

# shellcheck source=hack/build-lib.sh
source "$root/hack/build-lib.sh"

k8s_version="$(version_of "$root/tools/kube-apiserver/go.mod" k8s.io/kubernetes)"
etcd_version="$(version_of "$root/tools/etcd/go.mod" go.etcd.io/etcd/server/v3)"
[[ -n "$k8s_version" && -n "$etcd_version" ]] || { echo "cannot read pinned versions from tools/*/go.mod" >&2; exit 1; }

# Without these ldflags the server reports v0.0.0-master and version-checking clients misbehave.
k8s_minor="${k8s_version#v*.}"; k8s_minor="${k8s_minor%%.*}"
k8s_major="${k8s_version#v}"; k8s_major="${k8s_major%%.*}"
k8s_ldflags="-s -w -X k8s.io/component-base/version.gitVersion=$k8s_version"
k8s_ldflags+=" -X k8s.io/component-base/version.gitMajor=$k8s_major -X k8s.io/component-base/version.gitMinor=$k8s_minor"

build kube-apiserver "$k8s_version" kube-apiserver k8s.io/kubernetes/cmd/kube-apiserver "$k8s_ldflags"
build etcd "$etcd_version" etcd go.etcd.io/etcd/server/v3 "-s -w"

echo "EGRESS_MESH_KUBE_APISERVER=$bin_dir/kube-apiserver-$k8s_version"
echo "EGRESS_MESH_ETCD=$bin_dir/etcd-$etcd_version"
