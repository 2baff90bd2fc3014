#!/usr/bin/env bash
# Shared by hack/controlplane-binaries.sh and hack/toolchain-binaries.sh: every binary the proof harnesses run is
# built from a pinned tools module into a cache keyed by version, so a warm run only checks that files exist and
# changing a pin produces a new file name. Source this file; it sets root, bin_dir and the Go environment.

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin_dir="${XDG_CACHE_HOME:-$HOME/.cache}/egress-mesh/bin"

# version_of MODFILE MODULE prints MODULE's required version, whether in a require block or a one-line require.
version_of() {
  awk -v m="$2" '{ for (i = 1; i < NF; i++) if ($i == m) { print $(i + 1); exit } }' "$1"
}

# pinned TOOL MODULE prints the version tools/TOOL/go.mod requires of MODULE, failing loudly when it is absent.
pinned() {
  local v
  v="$(version_of "$root/tools/$1/go.mod" "$2")"
  [[ -n "$v" ]] || { echo "cannot read the pinned version of $2 from tools/$1/go.mod" >&2; return 1; }
  echo "$v"
}

# Without these ldflags Kubernetes binaries report v0.0.0-master and version-checking clients misbehave.
k8s_ldflags() {
  local minor="${1#v*.}" major="${1#v}"
  minor="${minor%%.*}"; major="${major%%.*}"
  echo "-s -w -X k8s.io/component-base/version.gitVersion=$1 -X k8s.io/component-base/version.gitMajor=$major -X k8s.io/component-base/version.gitMinor=$minor"
}

# The tools modules are standalone, with committed go.sum files: no go.work, and (unless the caller chose a -mod)
# readonly, so a module graph that drifted from go.sum fails instead of being silently rewritten.
export GOWORK=off
[[ "${GOFLAGS:-}" == *-mod=* ]] || export GOFLAGS="${GOFLAGS:+$GOFLAGS }-mod=readonly"

mkdir -p "$bin_dir"

# module_dir TOOL MODULE prints the directory of the version of MODULE that tools/TOOL/go.mod selects, downloading
# it when the module cache lacks it (`go list -m -f {{.Dir}}` would print an empty Dir then, and succeed).
module_dir() {
  local dir
  dir="$(cd "$root/tools/$1" && go mod download -json "$2" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  [[ -d "$dir" ]] || { echo "cannot download $2 as tools/$1/go.mod pins it" >&2; return 1; }
  echo "$dir"
}

# cached NAME VERSION: true (and says so) when the versioned binary exists.
cached() {
  if [[ -x "$bin_dir/$1-$2" ]]; then
    echo "$1 $2: cached $bin_dir/$1-$2"
    return 0
  fi
  return 1
}

# wanted NAME: true when the script was asked for NAME, or for nothing in particular (then everything is built).
wanted() {
  [[ -z "${wanted_names:-}" ]] || [[ " $wanted_names " == *" $1 "* ]]
}

# Build flags for the tools the tests run briefly on small inputs (kwok, the Kyverno CLI and authz runner, Istio's
# sample ext-authz server, the Go language host): no optimisation and no inlining. The compiler's optimising passes
# are most of a cold build, and the code does the same thing without them. Measured cold on 2 cores (2026-12-02):
# kwok 125 s against 173 s; the Kyverno CLI after it 253 s (496 s optimised, in an earlier measurement). Every
# binary of one tools module must use the same flags, or each compiles the shared packages again.
unoptimized=("-gcflags=all=-N -l")

# The Pulumi CLI and the Kubernetes provider run throughout the real-engine tests, so they stay optimised, except
# for the libraries those runs reach seldom or never: cloud SDKs and gRPC's xDS (the tests use a local file backend
# and passphrase secrets), git, PGP and OCI registries (charts come from a directory), the CLI's `pulumi cloud` API
# commands (OpenAPI models) and its ESC syntax highlighter, client-go's generated apply configurations, informers
# and listers behind the typed clientset (the provider applies through the dynamic client), and the provider's copy
# of the pulumi-kubernetes Go SDK (only its in-process helm/v4 Chart and yaml/v2 components use it, once per
# child). The last matching pattern wins, and std stays optimised. Measured cold on 2 cores: the CLI with the cloud
# SDKs unoptimised built in 351 s against 443 s (2026-12-02); then with the API commands, highlighter and xDS
# unoptimised too 320 s against 341 s, and the provider with its SDK unoptimised 529 s against 571 s (2026-12-03).
seldom_run=()
for pattern in github.com/aws/... github.com/Azure/... github.com/AzureAD/... cloud.google.com/go/... \
  google.golang.org/api/... github.com/envoyproxy/... github.com/cncf/xds/... github.com/go-git/... \
  github.com/ProtonMail/... oras.land/... github.com/pulumi/pulumi/pkg/v3/cmd/pulumi/cloud/... \
  github.com/pb33f/... github.com/alecthomas/chroma/... k8s.io/client-go/applyconfigurations/... \
  k8s.io/client-go/informers/... k8s.io/client-go/listers/... github.com/pulumi/pulumi-kubernetes/sdk/v4/...; do
  seldom_run+=("-gcflags=$pattern=-N -l")
done

# build NAME VERSION DIR PKG LDFLAGS [GO BUILD FLAGS...]: skips when the versioned binary exists; builds in DIR
# (relative to tools/, or absolute) to a temp name and renames so an interrupted build never leaves a file a later
# run would mistake for a finished one. A lock per binary makes a second run (another job sharing the cache) wait
# for the first instead of building the same thing again. Long builds run under nice so they do not starve the
# tests sharing the machine.
build() {
  local name="$1" version="$2" dir="$3" pkg="$4" ldflags="$5" start=$SECONDS lock
  local out="$bin_dir/$name-$version"
  shift 5
  wanted "$name" || return 0
  cached "$name" "$version" && return
  exec {lock}>"$out.lock"
  flock "$lock"
  if ! cached "$name" "$version"; then
    [[ "$dir" == /* ]] || dir="$root/tools/$dir"
    echo "$name $version: building (minutes when cold)..."
    (cd "$dir" && nice -n 10 go build -o "$out.tmp.$$" -ldflags "$ldflags" "$@" "$pkg")
    mv -f "$out.tmp.$$" "$out"
    echo "$name $version: built $out in $((SECONDS - start))s"
  fi
  exec {lock}>&-
}
