// Package testkit is what the component tests share: running a component under the recorder with a
// Kubernetes target, reading the verified notes in ../shared, and checking emitted objects and Helm values
// with the real validators of internal/conformance. Import it from _test.go files only.
package testkit
