#!/usr/bin/env bash
# Builds the decision engines internal/engines runs (Kyverno CLI, Istio's sample ext-authz server) from the pinned
# tools modules into the version-keyed cache, like hack/controlplane-binaries.sh; a warm run only checks the files.
# Squid is Debian's package (apt-get install squid; .ci/run does it), not built here.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin_dir="${XDG_CACHE_HOME:-$HOME/.cache}/egress-mesh/bin"

version_of() {
  awk -v m="$2" '{ for (i = 1; i < NF; i++) if ($i == m) { print $(i + 1); exit } }' "$1"
}

kyverno_version="$(version_of "$root/tools/kyverno/go.mod" github.com/kyverno/kyverno)"
istio_version="$(version_of "$root/tools/extauthz/go.mod" istio.io/istio)"
[[ -n "$kyverno_version" && -n "$istio_version" ]] || { echo "cannot read pinned versions from tools/*/go.mod" >&2; exit 1; }

export GOWORK=off
[[ "${GOFLAGS:-}" == *-mod=* ]] || export GOFLAGS="${GOFLAGS:+$GOFLAGS }-mod=readonly"
mkdir -p "$bin_dir"

# build NAME VERSION DIR PKG LDFLAGS: as in controlplane-binaries.sh (temp name, then rename).
build() {
  local out="$bin_dir/$1-$2" start=$SECONDS
  if [[ -x "$out" ]]; then
    echo "$1 $2: cached $out"
    return
  fi
  echo "$1 $2: building (the Kyverno CLI takes tens of minutes cold on 2 cores)..."
  (cd "$root/tools/$3" && go build -o "$out.tmp.$$" -ldflags "$5" "$4")
  mv -f "$out.tmp.$$" "$out"
  echo "$1 $2: built $out in $((SECONDS - start))s"
}

# The CLI's version command reads these (cmd/cli/kubectl-kyverno/version via pkg/version).
kyverno_ldflags="-s -w -X github.com/kyverno/kyverno/pkg/version.BuildVersion=$kyverno_version"
build kyverno "$kyverno_version" kyverno github.com/kyverno/kyverno/cmd/cli/kubectl-kyverno "$kyverno_ldflags"
build extauthz "$istio_version" extauthz istio.io/istio/samples/extauthz/cmd/extauthz "-s -w"

echo "EGRESS_MESH_KYVERNO=$bin_dir/kyverno-$kyverno_version"
echo "EGRESS_MESH_EXTAUTHZ=$bin_dir/extauthz-$istio_version"
