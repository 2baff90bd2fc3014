// Pins the Kubernetes provider that hack/toolchain-binaries.sh builds. Only this pseudo-version is served by the Go
// module proxy (tags are refused); the script builds it from a copy of the module (its main package embeds files that
// `go generate` makes, and its go.mod replaces the SDK with a sibling directory the module zip does not hold), so this
// module only records the version and its checksum. The engine registers the binary under the version of the
// pulumi-kubernetes SDK in the program's go.mod.
module github.com/egress-mesh/egress-mesh/tools/pulumi-kubernetes

go 1.25.0

require github.com/pulumi/pulumi-kubernetes/provider/v4 v4.0.0-20260115033456-f47bc2d6f199
