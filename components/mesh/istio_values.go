package mesh

import "github.com/pulumi/pulumi/sdk/v3/go/pulumi"

// Helm values of the Istio charts. Every key exists in the chart's values.yaml (under
// `_internal_defaults_do_not_set`, which users never write), except `profile`, which Istio's charts accept
// though undeclared. No Istio chart bundles Gateway API CRDs, so there is no copy to turn off here.

// baseValues: none, as in Istio's ambient Helm install. The seed's `defaultRevision: ""` (from Solo's
// revisioned install) would drop the cluster-wide `istiod-default-validator` webhook, and with it istiod's
// validation of unlabelled objects such as our ServiceEntries.
func baseValues() pulumi.Map {
	return pulumi.Map{}
}

// istiodValues: the ambient profile turns on ambient support in istiod; JSON access logs on stdout are what
// the checks read from proxies istiod configures.
func istiodValues() pulumi.Map {
	return pulumi.Map{
		"profile": pulumi.String("ambient"),
		"meshConfig": pulumi.Map{
			"accessLogFile":     pulumi.String("/dev/stdout"),
			"accessLogEncoding": pulumi.String("JSON"),
		},
	}
}

// cniValues: the ambient profile makes the node agent redirect enrolled pods' traffic to ztunnel.
func cniValues() pulumi.Map {
	return pulumi.Map{"profile": pulumi.String("ambient")}
}

// ztunnelValues: the ambient profile, as the other charts, so they agree on the mode.
func ztunnelValues() pulumi.Map {
	return pulumi.Map{"profile": pulumi.String("ambient")}
}
