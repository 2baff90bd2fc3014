#!/usr/bin/env bash
# Builds the decision engines internal/engines runs (Kyverno CLI, Istio's sample ext-authz server) from the pinned
# tools modules into the version-keyed cache, like hack/controlplane-binaries.sh; a warm run only checks the files.
# Squid is Debian's package (apt-get install squid; .ci/run does it), not built here.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin_dir="${XDG_CACHE_HOME:-$HOME/.cache}/egress-mesh/bin"

# shellcheck source=hack/build-lib.sh
source "$root/hack/build-lib.sh"

kyverno_version="$(version_of "$root/tools/kyverno/go.mod" github.com/kyverno/kyverno)"
istio_version="$(version_of "$root/tools/extauthz/go.mod" istio.io/istio)"
[[ -n "$kyverno_version" && -n "$istio_version" ]] || { echo "cannot read pinned versions from tools/*/go.mod" >&2; exit 1; }

# The CLI's version command reads these (cmd/cli/kubectl-kyverno/version via pkg/version).
kyverno_ldflags="-s -w -X github.com/kyverno/kyverno/pkg/version.BuildVersion=$kyverno_version"
build kyverno "$kyverno_version" kyverno github.com/kyverno/kyverno/cmd/cli/kubectl-kyverno "$kyverno_ldflags"
build extauthz "$istio_version" extauthz istio.io/istio/samples/extauthz/cmd/extauthz "-s -w"

echo "EGRESS_MESH_KYVERNO=$bin_dir/kyverno-$kyverno_version"
echo "EGRESS_MESH_EXTAUTHZ=$bin_dir/extauthz-$istio_version"
