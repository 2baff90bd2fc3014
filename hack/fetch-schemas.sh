#!/usr/bin/env bash
# Downloads every CRD and chart file pinned in conformance/schemas.lock into the schema cache that
# internal/conformance reads (LocateSchemas), verifying each sha256. `make crds` runs this.
# Lock line: <path> <sha256> <url>[#<member>[#<member>...]]; a member names a file inside a .tgz
# (a further member means that file is itself a .tgz, e.g. a packaged subchart).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
lock="${root}/conformance/schemas.lock"
cache="${XDG_CACHE_HOME:-${HOME}/.cache}/egress-mesh/schemas"

sha256() {
	if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1" | cut -d' ' -f1; else shasum -a 256 "$1" | cut -d' ' -f1; fi
}

work="$(mktemp -d)"
trap 'rm -rf "${work}"' EXIT

# fetch URL OUT: one download per distinct URL (the Kyverno tgz serves two files).
fetch() {
	local url="$1" out="$2"
	curl --fail --silent --show-error --location --retry 3 --proto '=https' -o "${out}" "${url}"
}

failed=0
while read -r path want src; do
	case "${path}" in '' | '#'*) continue ;; esac
	dest="${cache}/${path}"
	if [[ -f "${dest}" && "$(sha256 "${dest}")" == "${want}" ]]; then
		continue
	fi
	IFS='#' read -r -a parts <<<"${src}"
	url="${parts[0]}"
	blob="${work}/$(printf '%s' "${url}" | cksum | cut -d' ' -f1)"
	[[ -f "${blob}" ]] || fetch "${url}" "${blob}"
	cur="${blob}"
	for member in "${parts[@]:1}"; do
		dir="$(mktemp -d "${work}/x.XXXX")"
		tar -xzf "${cur}" -C "${dir}" "${member}"
		cur="${dir}/${member}"
	done
	got="$(sha256 "${cur}")"
	if [[ "${got}" != "${want}" ]]; then
		echo "sha256 mismatch for ${path}: got ${got}, want ${want} (from ${src})" >&2
		failed=1
		continue
	fi
	mkdir -p "$(dirname "${dest}")"
	# Write atomically so an interrupted run never leaves a truncated file that looks cached.
	cp "${cur}" "${dest}.tmp" && mv "${dest}.tmp" "${dest}"
	echo "fetched ${path}"
done <"${lock}"

if [[ "${failed}" != 0 ]]; then
	echo "some files did not match conformance/schemas.lock; nothing trusted from them" >&2
	exit 1
fi
echo "schemas ready in ${cache}"
