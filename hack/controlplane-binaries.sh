#!/usr/bin/env bash
# Builds the kube-apiserver and etcd that internal/controlplane runs, from the pinned tools modules, into a cache
# keyed by version: a warm run only checks that the files exist, and changing a pin produces a new file name.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/binaries-lib.sh"

k8s_version="$(pinned kube-apiserver k8s.io/kubernetes)"
etcd_version="$(pinned etcd go.etcd.io/etcd/server/v3)"

build kube-apiserver "$k8s_version" kube-apiserver k8s.io/kubernetes/cmd/kube-apiserver "$(k8s_ldflags "$k8s_version")"
build etcd "$etcd_version" etcd go.etcd.io/etcd/server/v3 "-s -w"

echo "EGRESS_MESH_KUBE_APISERVER=$bin_dir/kube-apiserver-$k8s_version"
echo "EGRESS_MESH_ETCD=$bin_dir/etcd-$etcd_version"
