#!/usr/bin/env bash
# Pulls every pinned Helm chart (versions.Charts, listed by `go run ./hack/chartlist`) into a directory chart mirror
# in the cache, <cache>/<chart>/<version>/Chart.yaml, the layout internal/kube.ChartSource reads (chartMirror).
# `make crds` runs this after fetch-schemas.sh. Needs helm 3.8+ (OCI) and the internet; a chart already there is
# skipped, each one lands by rename from a temporary directory, and its Chart.yaml must name the pinned chart and
# version. Unlike conformance/schemas.lock there is no sha256 pin: a chart is what its registry or repository serves
# for that version.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${XDG_CACHE_HOME:-${HOME}/.cache}/egress-mesh/helm-charts"
GO="${GO:-go}"

if ! command -v helm >/dev/null 2>&1; then
	echo "fetch-charts: helm is not on PATH; it pulls the pinned charts into ${cache}." >&2
	echo "fetch-charts: install Helm 3.8 or newer (https://helm.sh/docs/intro/install/), then run make crds again." >&2
	exit 1
fi

if ! list="$(cd "${root}" && "${GO}" run ./hack/chartlist)" || [[ -z "${list}" ]]; then
	echo "fetch-charts: could not list the pinned charts (go run ./hack/chartlist)" >&2
	exit 1
fi

# chart_field FILE KEY: a top-level scalar of a Chart.yaml, without quotes or a trailing comment.
chart_field() {
	awk -v key="$2" '
		{ sub(/\r$/, "") }
		index($0, key ":") == 1 {
			v = substr($0, length(key) + 2)
			sub(/^[ \t]+/, "", v); sub(/[ \t]+#.*$/, "", v); sub(/[ \t]+$/, "", v)
			if (v ~ /^".*"$/ || v ~ /^\047.*\047$/) v = substr(v, 2, length(v) - 2)
			print v; exit
		}' "$1"
}

# check DIR NAME VERSION: DIR is the chart NAME at VERSION, or say why not.
check() {
	local file="$1/Chart.yaml" got
	if [[ ! -f "${file}" ]]; then
		echo "no Chart.yaml"
		return 1
	fi
	got="$(chart_field "${file}" name)"
	if [[ "${got}" != "$2" ]]; then
		echo "Chart.yaml says name '${got}', want '$2'"
		return 1
	fi
	got="$(chart_field "${file}" version)"
	if [[ "${got}" != "$3" ]]; then
		echo "Chart.yaml says version '${got}', want '$3'"
		return 1
	fi
}

mkdir -p "${cache}"
# Pulls land beside their destination, so the final mv is a rename on one filesystem.
work="$(mktemp -d "${cache}/.pull.XXXXXX")"
trap 'rm -rf "${work}"' EXIT

failed=()
while read -r name version ref <&3; do
	dest="${cache}/${name}/${version}"
	if [[ -e "${dest}/Chart.yaml" ]]; then
		if why="$(check "${dest}" "${name}" "${version}")"; then
			echo "cached ${name} ${version}"
		else
			echo "fetch-charts: ${dest}: ${why}; delete that directory and run again" >&2
			failed+=("${name} ${version}")
		fi
		continue
	fi

	if [[ "${ref}" == oci://* ]]; then
		src=("${ref}")
	else
		src=("${name}" --repo "${ref}")
	fi
	tmp="$(mktemp -d "${work}/${name}.XXXXXX")"
	if ! helm pull "${src[@]}" --version "${version}" --untar --untardir "${tmp}"; then
		echo "fetch-charts: helm pull ${src[*]} --version ${version} failed" >&2
		failed+=("${name} ${version}")
		continue
	fi
	shopt -s nullglob dotglob
	unpacked=("${tmp}"/*)
	shopt -u nullglob dotglob
	if [[ "${#unpacked[@]}" != 1 || ! -d "${unpacked[0]}" ]]; then
		echo "fetch-charts: helm pull of ${name} ${version} left ${#unpacked[@]} entries, want one chart directory" >&2
		failed+=("${name} ${version}")
		continue
	fi
	if ! why="$(check "${unpacked[0]}" "${name}" "${version}")"; then
		echo "fetch-charts: ${src[*]} --version ${version}: ${why}; not stored" >&2
		failed+=("${name} ${version}")
		continue
	fi
	mkdir -p "${cache}/${name}"
	rm -rf "${dest}" # a directory without Chart.yaml is debris, not a chart
	mv "${unpacked[0]}" "${dest}"
	echo "pulled ${name} ${version}"
done 3<<<"${list}"

if [[ "${#failed[@]}" != 0 ]]; then
	echo "fetch-charts: not in the mirror: $(printf '%s, ' "${failed[@]}" | sed 's/, $//')" >&2
	exit 1
fi
echo "charts ready in ${cache}"
