// Package conformance proves offline that the objects and Helm values the program emits would be
// accepted by the control plane of the pinned versions: custom resources against the upstream CRDs
// (with kube-apiserver's own pruning, defaulting, OpenAPI and CEL code), built-in objects by strict
// decoding into k8s.io/api types, and Helm value paths against each chart's saved values.yaml.
// Schema files come from the sha256-pinned conformance/schemas.lock (see LocateSchemas).
package conformance
