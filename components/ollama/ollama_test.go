package ollama

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/egress-mesh/egress-mesh/internal/kube"
	"github.com/egress-mesh/egress-mesh/internal/recorder"
	"github.com/egress-mesh/egress-mesh/internal/testkit"
	"github.com/egress-mesh/egress-mesh/versions"
)

const (
	containerType = "docker:index/container:Container"
	imageType     = "docker:index/remoteImage:RemoteImage"
	volumeType    = "docker:index/volume:Volume"
	commandType   = "command:local:Command"
	seType        = "kubernetes:networking.istio.io/v1:ServiceEntry"
	seName        = "serviceentry-kgateway-system-ollama-external-host"
)

// stand-ins the component is wired to, as the stack wires the real ones.
const (
	kindCmd     = testkit.Cluster // the kind cluster: DeletedWith and the container's DependsOn
	istioBase   = "istio-base"    // ServiceEntry CRD
	clusterPol  = "cluster-policy"
	gatewayNS   = "gateway-namespace"
	testModel   = "llama3.2:1b"
	testNetwork = "kind"
)

type result struct {
	rec      *recorder.Recorder
	address  string
	endpoint string
	seName   string
}

// runOllama builds the component with the stack's values and records the resolved outputs. The kind
// cluster stand-in (testkit.Cluster, named kindCmd here) is DeletedWith and the container's DependsOn.
func runOllama(t *testing.T, dryRun bool, model string) result {
	t.Helper()
	var res result
	res.rec = testkit.Run(t, dryRun, func(ctx *pulumi.Context, target kube.Target) error {
		var seDeps []pulumi.Resource
		for _, name := range []string{istioBase, clusterPol, gatewayNS} {
			seDeps = append(seDeps, testkit.StandIn(t, ctx, name))
		}
		o, err := New(ctx, "ollama", &Args{
			Image:                 versions.OllamaImage,
			ContainerName:         "ollama-server",
			Network:               testNetwork,
			Port:                  11434,
			Model:                 model,
			DependsOn:             []pulumi.Resource{target.DeletedWith},
			Target:                target,
			Namespace:             "kgateway-system",
			Hostname:              "host.docker.internal",
			ServiceEntryDependsOn: seDeps,
		})
		if err != nil {
			return err
		}
		res.seName = o.ServiceEntryName
		pulumi.All(o.Address, o.Endpoint).ApplyT(func(v []any) error {
			res.address, res.endpoint = v[0].(string), v[1].(string)
			return nil
		})
		return nil
	})
	return res
}

func TestOllamaResources(t *testing.T) {
	r := runOllama(t, false, testModel)
	comp := r.rec.Find("egress-mesh:ollama:Ollama", "ollama")
	require.NotNil(t, comp)
	for typ, name := range map[string]string{
		imageType:     "ollama-image",
		volumeType:    "ollama-volume",
		containerType: "ollama-container",
		commandType:   "ollama-pull-model",
		seType:        seName,
	} {
		res := r.rec.Find(typ, name)
		require.NotNil(t, res, "%s %s", typ, name)
		assert.Equal(t, comp.URN, res.Parent, "%s is a direct child of the component", name)
	}
	assert.Len(t, r.rec.Children(comp), 5)
}

func TestOllamaImageAndVolume(t *testing.T) {
	r := runOllama(t, false, "")
	img := r.rec.Find(imageType, "ollama-image")
	assert.Equal(t, "ollama/ollama:0.13.5", testkit.Input(t, img, "name"))
	assert.Equal(t, true, testkit.Input(t, img, "keepLocally"))
	assert.Equal(t, "ollama", testkit.Input(t, r.rec.Find(volumeType, "ollama-volume"), "name"))
}

func TestOllamaContainer(t *testing.T) {
	r := runOllama(t, false, "")
	c := r.rec.Find(containerType, "ollama-container")
	assert.Equal(t, "ollama-server", testkit.Input(t, c, "name"))
	// The image by ID from the pulled image: a new pin replaces the container.
	assert.Equal(t, "sha256:mock-ollama/ollama:0.13.5", testkit.Input(t, c, "image"))
	assert.Equal(t, []any{"OLLAMA_HOST=0.0.0.0"}, testkit.Input(t, c, "envs"))
	assert.Equal(t, []any{map[string]any{"name": "kind"}}, testkit.Input(t, c, "networksAdvanced"))
	assert.Equal(t, []any{map[string]any{"volumeName": "ollama", "containerPath": "/root/.ollama"}},
		testkit.Input(t, c, "volumes"))
	ports := testkit.Input(t, c, "ports").([]any)
	require.Len(t, ports, 1)
	port := ports[0].(map[string]any)
	assert.EqualValues(t, 11434, port["internal"])
	assert.EqualValues(t, 11434, port["external"])
	assert.Equal(t, "127.0.0.1", port["ip"], "published on the host's loopback only")
	assert.Equal(t, "unless-stopped", testkit.Input(t, c, "restart"))
	assert.Empty(t, c.Provider, "Docker resources use the default Docker provider")
	assert.Empty(t, c.DeletedWith, "the container outlives no cluster: it is really deleted")
}

func TestOllamaHostFollowsPort(t *testing.T) {
	assert.Equal(t, "OLLAMA_HOST=0.0.0.0", ollamaHost(11434))
	assert.Equal(t, "OLLAMA_HOST=0.0.0.0:8080", ollamaHost(8080))
}

func TestOllamaAddressAndEndpoint(t *testing.T) {
	r := runOllama(t, false, "")
	assert.Equal(t, recorder.FakeContainerIP, r.address)
	assert.Equal(t, "http://"+recorder.FakeContainerIP+":11434", r.endpoint)
}

func TestOllamaServiceEntry(t *testing.T) {
	r := runOllama(t, false, "")
	assert.Equal(t, "ollama-external-host", r.seName)
	se := r.rec.Find(seType, seName)
	assert.Equal(t, "networking.istio.io/v1", testkit.Input(t, se, "apiVersion"))
	assert.Equal(t, "ServiceEntry", testkit.Input(t, se, "kind"))
	assert.Equal(t, "ollama-external-host", testkit.Input(t, se, "metadata.name"))
	assert.Equal(t, "kgateway-system", testkit.Input(t, se, "metadata.namespace"))
	// "true", not any value: the admission policy requires approval (notes, mistake 6).
	assert.Equal(t, map[string]any{"security.corp/egress-approved": "true"}, testkit.Input(t, se, "metadata.labels"))
	assert.Equal(t, map[string]any{
		"hosts":      []any{"host.docker.internal"},
		"location":   "MESH_EXTERNAL",
		"ports":      []any{map[string]any{"number": float64(11434), "name": "http-ollama", "protocol": "HTTP"}},
		"resolution": "STATIC",
		// Only the gateway's namespace (the entry's own) gets a route to Ollama from it.
		"exportTo": []any{"."},
		// The container's address on the kind network, from the container's own output.
		"endpoints": []any{map[string]any{"address": recorder.FakeContainerIP}},
	}, testkit.Input(t, se, "spec"))
}

func TestOllamaServiceEntryTarget(t *testing.T) {
	r := runOllama(t, false, "")
	se := r.rec.Find(seType, seName)
	prov := r.rec.Find("pulumi:providers:kubernetes", testkit.Provider)
	assert.True(t, strings.HasPrefix(se.Provider, prov.URN+"::"), "provider %q", se.Provider)
	assert.Equal(t, r.rec.Find(commandType, kindCmd).URN, se.DeletedWith)
}

func TestOllamaOrdering(t *testing.T) {
	r := runOllama(t, false, testModel)
	rec := r.rec
	container := rec.Find(containerType, "ollama-container")
	pull := rec.Find(commandType, "ollama-pull-model")
	se := rec.Find(seType, seName)
	assert.True(t, rec.WaitsFor(container, rec.Find(commandType, kindCmd)), "the kind network must exist")
	assert.True(t, rec.WaitsFor(container, rec.Find(imageType, "ollama-image")))
	assert.True(t, rec.WaitsFor(container, rec.Find(volumeType, "ollama-volume")))
	assert.True(t, rec.WaitsFor(pull, container), "docker exec needs the container")
	for _, dep := range []string{istioBase, clusterPol, gatewayNS} {
		assert.True(t, rec.WaitsFor(se, rec.Find(commandType, dep)), "ServiceEntry waits for %s", dep)
	}
	assert.True(t, rec.WaitsFor(se, container), "the endpoint address comes from the container")
	assert.Contains(t, se.PropertyDependencies["spec"], container.URN)
	// The container does not wait for the mesh side.
	assert.False(t, rec.WaitsFor(container, rec.Find(commandType, clusterPol)))
}

func TestOllamaModelPull(t *testing.T) {
	r := runOllama(t, false, testModel)
	pull := r.rec.Find(commandType, "ollama-pull-model")
	assert.Equal(t, "docker exec ollama-server ollama pull llama3.2:1b", testkit.Input(t, pull, "create"))
	triggers := testkit.Input(t, pull, "triggers").([]any)
	assert.Contains(t, triggers, "llama3.2:1b", "a new model pulls again")
	assert.Contains(t, triggers, "ollama-container-id", "a new container pulls again")
	_, hasDelete := pull.Input("delete")
	assert.False(t, hasDelete, "the model goes with the volume")
}

func TestOllamaNoModelNoPull(t *testing.T) {
	r := runOllama(t, false, "")
	assert.Nil(t, r.rec.Find(commandType, "ollama-pull-model"))
	comp := r.rec.Find("egress-mesh:ollama:Ollama", "ollama")
	assert.Len(t, r.rec.Children(comp), 4)
}

func TestOllamaDryRun(t *testing.T) {
	r := runOllama(t, true, testModel)
	for typ, name := range map[string]string{
		imageType: "ollama-image", volumeType: "ollama-volume", containerType: "ollama-container",
		commandType: "ollama-pull-model", seType: seName,
	} {
		assert.NotNil(t, r.rec.Find(typ, name), "%s %s", typ, name)
	}
	assert.Empty(t, r.address, "the address is unknown in a preview")
	se := r.rec.Find(seType, seName)
	endpoints, ok := se.Input("spec.endpoints")
	require.True(t, ok)
	require.Len(t, endpoints.ArrayValue(), 1)
	addr := endpoints.ArrayValue()[0].ObjectValue()["address"]
	// The mock monitor receives an unknown as null (it does not keep unknowns): no value, and no fake one.
	assert.Nil(t, recorder.Plain(addr), "address = %v", addr)
}

func TestOllamaValidatesArgs(t *testing.T) {
	base := Args{Image: versions.OllamaImage, ContainerName: "ollama-server", Network: "kind", Port: 11434,
		Namespace: "default", Hostname: "host.docker.internal"}
	require.NoError(t, base.validate())
	for name, mutate := range map[string]func(*Args){
		"no network":     func(a *Args) { a.Network = "" },
		"no hostname":    func(a *Args) { a.Hostname = "" },
		"no port":        func(a *Args) { a.Port = 0 },
		"shell in model": func(a *Args) { a.Model = "llama; rm -rf /" },
	} {
		a := base
		mutate(&a)
		assert.Error(t, a.validate(), name)
	}
}

// An Ollama that already runs: no Docker resource at all, and the entry points at it (STATIC for an IP, DNS for a
// name, so Istio resolves it).
func TestOllamaExisting(t *testing.T) {
	for address, resolution := range map[string]string{"192.0.2.10": "STATIC", "gpu-box.corp.example": "DNS"} {
		rec := testkit.Run(t, false, func(ctx *pulumi.Context, target kube.Target) error {
			_, err := New(ctx, "ollama", &Args{
				Existing: address, Port: 11434, Target: target, Namespace: "egress", Hostname: "host.docker.internal",
			})
			return err
		})
		for _, res := range rec.All() {
			assert.False(t, strings.HasPrefix(res.Type, "docker:"), "%s: no Docker resource for an existing Ollama", res.Type)
		}
		se := rec.Find(seType, "serviceentry-egress-ollama-external-host")
		require.NotNil(t, se, address)
		assert.Equal(t, resolution, testkit.Input(t, se, "spec.resolution"), address)
		assert.Equal(t, []any{map[string]any{"address": address}}, testkit.Input(t, se, "spec.endpoints"), address)
	}
}
