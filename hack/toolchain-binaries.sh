#!/usr/bin/env bash
# Builds what internal/simcluster and internal/pulumiengine run on top of the control plane (make controlplane):
# kube-controller-manager, kube-scheduler and kwok for a simulated cluster, and the Pulumi CLI, Go language host and
# Kubernetes provider for a real `pulumi up`. Same version-keyed cache as hack/controlplane-binaries.sh.
# Arguments name the binaries to build (default: all), so slow ones can be started in parallel.
set -euo pipefail
wanted_names="$*"
source "$(dirname "${BASH_SOURCE[0]}")/binaries-lib.sh"

k8s_version="$(pinned kube-apiserver k8s.io/kubernetes)"
# kwok is a tool of the Kyverno tools module: both use k8s.io/* v0.36, and adding kwok there raised no version the
# Kyverno CLI is built with, so in a cold cache the two share almost every compiled package.
kwok_version="$(pinned kyverno sigs.k8s.io/kwok)"
pulumi_version="$(pinned pulumi github.com/pulumi/pulumi/pkg/v3)"
langhost_version="$(pinned pulumi-language-go github.com/pulumi/pulumi/sdk/v3)"
provider_module=github.com/pulumi/pulumi-kubernetes/provider/v4
provider_version="$(pinned pulumi-kubernetes "$provider_module")"
# The engine loads the provider for the version the program's SDK asks for, so the binary reports that version.
plugin_version="$(version_of "$root/go.mod" github.com/pulumi/pulumi-kubernetes/sdk/v4)"
[[ -n "$plugin_version" ]] || { echo "cannot read the pulumi-kubernetes SDK version from go.mod" >&2; exit 1; }

build kube-controller-manager "$k8s_version" kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager "$(k8s_ldflags "$k8s_version")"
build kube-scheduler "$k8s_version" kube-apiserver k8s.io/kubernetes/cmd/kube-scheduler "$(k8s_ldflags "$k8s_version")"
build kwok "$kwok_version" kyverno sigs.k8s.io/kwok/cmd/kwok "-s -w" "${unoptimized[@]}"
# Since v0.8.0 kwok has no built-in stages ("no stages found"): it is given the ones v0.7.0 used by default (node
# initialize and heartbeat, pod ready, complete and delete), from the same module version, beside the binary.
kwok_stages="$bin_dir/kwok-$kwok_version.stages.yaml"
if wanted kwok && [[ ! -s "$kwok_stages" ]]; then
  stage="$(module_dir kyverno sigs.k8s.io/kwok)/kustomize/stage"
  for f in node/fast/node-initialize.yaml node/heartbeat/node-heartbeat.yaml \
    pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml; do
    echo "---"
    cat "$stage/$f"
  done > "$kwok_stages.tmp.$$"
  mv -f "$kwok_stages.tmp.$$" "$kwok_stages"
fi
build pulumi "$pulumi_version" pulumi github.com/pulumi/pulumi/pkg/v3/cmd/pulumi \
  "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$pulumi_version" "${seldom_run[@]}"
build pulumi-language-go "$langhost_version" pulumi-language-go github.com/pulumi/pulumi/sdk/v3/go/pulumi-language-go \
  "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$langhost_version" "${unoptimized[@]}"

# The provider's main package embeds schema-embed.json and terraform-mapping-embed.json, which its
# `//go:generate go run ./generate.go` writes from schema.json and terraform-mapping.json with VERSION set; and its
# go.mod replaces sdk/v4 with ../sdk, which the module zip does not hold. So: copy the module, run that very
# generate.go, drop the replace (the required sdk/v4 version then comes from the proxy, checked against sum.golang.org).
if wanted pulumi-resource-kubernetes && ! cached pulumi-resource-kubernetes "$provider_version"; then
  src="$(module_dir pulumi-kubernetes "$provider_module")"
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  cp -R "$src/." "$work" && chmod -R u+w "$work"
  (
    cd "$work"
    go mod edit -dropreplace github.com/pulumi/pulumi-kubernetes/sdk/v4
    GOFLAGS=-mod=mod go mod download github.com/pulumi/pulumi-kubernetes/sdk/v4
    cd cmd/pulumi-resource-kubernetes && VERSION="${plugin_version#v}" nice -n 10 go run ./generate.go
  )
  build pulumi-resource-kubernetes "$provider_version" "$work" ./cmd/pulumi-resource-kubernetes \
    "-s -w -X $provider_module/pkg/version.Version=${plugin_version#v}" "${seldom_run[@]}"
fi

echo "EGRESS_MESH_KUBE_CONTROLLER_MANAGER=$bin_dir/kube-controller-manager-$k8s_version"
echo "EGRESS_MESH_KUBE_SCHEDULER=$bin_dir/kube-scheduler-$k8s_version"
echo "EGRESS_MESH_KWOK=$bin_dir/kwok-$kwok_version"
echo "EGRESS_MESH_PULUMI=$bin_dir/pulumi-$pulumi_version"
echo "EGRESS_MESH_PULUMI_LANGUAGE_GO=$bin_dir/pulumi-language-go-$langhost_version"
echo "EGRESS_MESH_PULUMI_RESOURCE_KUBERNETES=$bin_dir/pulumi-resource-kubernetes-$provider_version"
