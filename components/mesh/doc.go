// Package mesh installs what both egress paths share inside the cluster: the Gateway API CRDs and Istio
// ambient (base, istiod, CNI node agent, ztunnel).
package mesh
