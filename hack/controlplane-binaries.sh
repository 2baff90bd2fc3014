#!/usr/bin/env bash
# Builds the kube-apiserver and etcd that internal/controlplane runs, from the pinned Kubernetes tools module, into a
# cache keyed by version: a warm run only checks that the files exist, and changing a pin produces a new file name.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/binaries-lib.sh"

k8s_version="$(pinned kube-apiserver k8s.io/kubernetes)"
# etcd comes from the same module: k8s.io/kubernetes requires the etcd server its integration tests run, so etcd is
# built with the dependency versions Kubernetes itself pins, and shares their compiled packages with kube-apiserver.
etcd_version="$(pinned kube-apiserver go.etcd.io/etcd/server/v3)"

build kube-apiserver "$k8s_version" kube-apiserver k8s.io/kubernetes/cmd/kube-apiserver "$(k8s_ldflags "$k8s_version")"
build etcd "$etcd_version" kube-apiserver go.etcd.io/etcd/server/v3 "-s -w"

echo "EGRESS_MESH_KUBE_APISERVER=$bin_dir/kube-apiserver-$k8s_version"
echo "EGRESS_MESH_ETCD=$bin_dir/etcd-$etcd_version"
