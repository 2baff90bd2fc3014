#!/usr/bin/env bash
# Lints .github/workflows with actionlint built from the version pinned in tools/actionlint/go.mod (Go module
# proxy, no binary download). Extra arguments go to actionlint, e.g. -verbose.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# The tools module stands alone; a caller's go.work or -mod=vendor must not leak in.
export GOWORK=off GOFLAGS="${GOFLAGS:+$GOFLAGS }-mod=readonly"

cd "$root"
# `go tool` resolves the tool directive in tools/actionlint/go.mod and caches the build.
exec go -C tools/actionlint tool actionlint "$@" \
  "$root"/.github/workflows/*.yml
