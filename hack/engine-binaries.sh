#!/usr/bin/env bash
# Builds the decision engines internal/engines runs (Kyverno CLI, kyverno-authz's Envoy server, Istio's sample
# ext-authz server) from the pinned tools modules into the version-keyed cache, like hack/controlplane-binaries.sh;
# a warm run only checks the files.
# Squid is Debian's package (apt-get install squid; .ci/run does it), not built here.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/binaries-lib.sh"
# Names to build (kyverno, extauthz, kyverno-authz); none means all.
wanted_names="$*"

kyverno_version="$(pinned kyverno github.com/kyverno/kyverno)"
istio_version="$(pinned extauthz istio.io/istio)"
authz_version="$(pinned kyverno github.com/kyverno/kyverno-authz)"
# The authz server runner (tools/kyverno/authzserver) is our own few lines around kyverno-authz's packages, so its
# source is part of the cache key: editing it builds a new file.
authz_key="$authz_version-$(sha256sum "$root/tools/kyverno/authzserver/main.go" | cut -c1-12)"

# The CLI's version command reads these (cmd/cli/kubectl-kyverno/version via pkg/version).
build kyverno "$kyverno_version" kyverno github.com/kyverno/kyverno/cmd/cli/kubectl-kyverno \
  "-s -w -X github.com/kyverno/kyverno/pkg/version.BuildVersion=$kyverno_version" "${unoptimized[@]}"
build extauthz "$istio_version" extauthz istio.io/istio/samples/extauthz/cmd/extauthz "-s -w" "${unoptimized[@]}"
build kyverno-authz "$authz_key" kyverno ./authzserver "-s -w" "${unoptimized[@]}"

echo "EGRESS_MESH_KYVERNO=$bin_dir/kyverno-$kyverno_version"
echo "EGRESS_MESH_EXTAUTHZ=$bin_dir/extauthz-$istio_version"
echo "EGRESS_MESH_KYVERNO_AUTHZ=$bin_dir/kyverno-authz-$authz_key"
