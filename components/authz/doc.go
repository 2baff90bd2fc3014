// Package authz holds the three policy layers of the egress path:
//   - KyvernoAuthz: the Kyverno Envoy authz server the gateway's ext_authz filter asks (L7, per request);
//   - Admission: Kyverno itself and the ClusterPolicy that only admits approved ServiceEntries (config plane);
//   - L4Policy: an Istio AuthorizationPolicy that ztunnel enforces on the gateway pods (who may connect).
//
// Objects follow notes/resources.md ("Ollama path, corrected") and the CRDs in ../shared/crds.
package authz
