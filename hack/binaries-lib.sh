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

# build NAME VERSION DIR PKG LDFLAGS: skips when the versioned binary exists; builds in DIR (relative to tools/, or
# absolute) to a temp name and renames so an interrupted build never leaves a file a later run would mistake for a
# finished one. A lock per binary makes a second run (another job sharing the cache) wait for the first instead of
# building the same thing again. Long builds run under nice so they do not starve the tests sharing the machine.
build() {
  local out="$bin_dir/$1-$2" start=$SECONDS dir="$3" lock
  wanted "$1" || return 0
  cached "$1" "$2" && return
  exec {lock}>"$out.lock"
  flock "$lock"
  if ! cached "$1" "$2"; then
    [[ "$dir" == /* ]] || dir="$root/tools/$dir"
    echo "$1 $2: building (minutes when cold)..."
    (cd "$dir" && nice -n 10 go build -o "$out.tmp.$$" -ldflags "$5" "$4")
    mv -f "$out.tmp.$$" "$out"
    echo "$1 $2: built $out in $((SECONDS - start))s"
  fi
  exec {lock}>&-
}
