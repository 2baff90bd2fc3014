# Shared by hack/controlplane-binaries.sh and hack/engine-binaries.sh: build Go tools from the pinned modules in
# tools/ into a cache keyed by version. Callers set root and bin_dir.

# version_of MODFILE MODULE prints MODULE's required version, whether in a require block or a one-line require.
version_of() {
  awk -v m="$2" '{ for (i = 1; i < NF; i++) if ($i == m) { print $(i + 1); exit } }' "$1"
}

# The tools modules are standalone, with committed go.sum files: no go.work, and (unless the caller chose a -mod)
# readonly, so a module graph that drifted from go.sum fails instead of being silently rewritten.
export GOWORK=off
[[ "${GOFLAGS:-}" == *-mod=* ]] || export GOFLAGS="${GOFLAGS:+$GOFLAGS }-mod=readonly"

# build NAME VERSION DIR PKG LDFLAGS: skips when the versioned binary exists; builds to a temp name and renames so
# an interrupted build never leaves a file a later run would mistake for a finished one.
build() {
  local out="$bin_dir/$1-$2" start=$SECONDS
  mkdir -p "$bin_dir"
  if [[ -x "$out" ]]; then
    echo "$1 $2: cached $out"
    return
  fi
  echo "$1 $2: building (minutes when cold; the Kyverno CLI tens of minutes)..."
  (cd "$root/tools/$3" && go build -o "$out.tmp.$$" -ldflags "$5" "$4")
  mv -f "$out.tmp.$$" "$out"
  echo "$1 $2: built $out in $((SECONDS - start))s"
}
