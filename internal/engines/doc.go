// Package engines runs the programs that make the program's decisions, on loopback, at the versions it pins:
// Squid (Debian's package), Istio's sample ext-authz server, the Kyverno CLI and the Kyverno authz server. The
// tests beside it feed them what the program renders (internal/render) and check the decisions they take; every
// proof has a negative control. The process, port and binary-cache plumbing is internal/controlplane's.
//
// The Go-built engines come from hack/engine-binaries.sh (`make engines`) into the version-keyed cache; Squid from
// `apt-get install squid` (bash .ci/run does it). A missing engine fails its test with how to get it; `go test
// -short` skips the engine runs and says so.
package engines
