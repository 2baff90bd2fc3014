package mesh

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/egress-mesh/egress-mesh/internal/kube"
	"github.com/egress-mesh/egress-mesh/internal/testkit"
)

func TestGatewayAPIInstallsExperimentalCRDsOnce(t *testing.T) {
	rec := testkit.Run(t, false, func(ctx *pulumi.Context, target kube.Target) error {
		_, err := NewGatewayAPI(ctx, "gateway-api", &GatewayAPIArgs{Target: target})
		return err
	})

	comp := rec.Find("egress-mesh:mesh:GatewayAPI", "gateway-api")
	require.NotNil(t, comp)
	files := rec.OfType("kubernetes:yaml/v2:ConfigFile")
	require.Len(t, files, 1, "the CRDs are installed by exactly one resource")
	crds := files[0]
	assert.Equal(t, "gateway-api-crds", crds.Name)
	assert.True(t, crds.Remote)
	// The v1.4.0 experimental-channel release asset (notes/resources.md, crds/SOURCES.md).
	assert.Equal(t,
		"https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.4.0/experimental-install.yaml",
		str(t, crds, "file"))
	assertInCluster(t, rec, comp, crds)
	assert.Equal(t, comp.URN, crds.Parent)
}

func TestGatewayAPIExposesTheConfigFileForDependents(t *testing.T) {
	rec := testkit.Run(t, false, func(ctx *pulumi.Context, target kube.Target) error {
		gw, err := NewGatewayAPI(ctx, "gateway-api", &GatewayAPIArgs{Target: target})
		if err != nil {
			return err
		}
		_, err = NewIstio(ctx, "istio", &IstioArgs{Target: target, DependsOn: []pulumi.Resource{gw.CRDs}})
		return err
	})
	crds := rec.Find("kubernetes:yaml/v2:ConfigFile", "gateway-api-crds")
	base := rec.Find("kubernetes:helm.sh/v4:Chart", "istio-base")
	require.NotNil(t, crds)
	require.NotNil(t, base)
	assert.True(t, rec.WaitsFor(base, crds), "Istio base must wait for the Gateway API CRDs")
	assert.False(t, rec.WaitsFor(crds, base))
}
