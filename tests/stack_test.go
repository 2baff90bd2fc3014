package tests

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/egress-mesh/egress-mesh/internal/recorder"
	"github.com/egress-mesh/egress-mesh/internal/testkit"
	"github.com/egress-mesh/egress-mesh/versions"
)

const (
	typeProvider = "pulumi:providers:kubernetes"
	typeCommand  = "command:local:Command"
)

// Every in-cluster resource goes through the one provider, which carries the clusterIdentifier, and is deleted
// with the kind cluster rather than one by one.
func TestInClusterResourcesUseTheClusterProviderAndAreDeletedWithTheKindCluster(t *testing.T) {
	for _, stack := range stackNames(t) {
		t.Run(stack, func(t *testing.T) {
			rec := rendered(t, stack, false).Rec
			providers := rec.OfType(typeProvider)
			require.Len(t, providers, 1, "one Kubernetes provider, never the ambient default")
			provider := providers[0]
			id, _ := provider.Input("clusterIdentifier")
			assert.Equal(t, clusterName(t, stack), id.StringValue())
			kind := mustFind(t, rec, typeCommand, "cluster-kind")

			checked := 0
			for _, res := range rec.All() {
				if !strings.HasPrefix(res.Type, "kubernetes:") {
					continue
				}
				checked++
				assert.True(t, strings.HasPrefix(res.Provider, provider.URN+"::") || res.Remote,
					"%s %s uses provider %q", res.Type, res.Name, res.Provider)
				assert.Equal(t, kind.URN, res.DeletedWith, "%s %s is not DeletedWith the kind cluster", res.Type, res.Name)
			}
			assert.Greater(t, checked, 20)
		})
	}
}

// On an existing cluster nothing is DeletedWith anything: destroy must really delete each object.
func TestExistingClusterHasNoKindAndDeletesObjectsOneByOne(t *testing.T) {
	res, err := renderWith(t, "dev", false, "cluster", "existing", "kubeconfig!", recorder.FakeKubeconfig, "kubeContext", "kind-mock")
	require.NoError(t, err)
	assert.Empty(t, res.Rec.OfType(typeCommand), "no kind cluster is created")
	provider := res.Rec.OfType(typeProvider)[0]
	kubeconfig, _ := provider.Input("kubeconfig")
	assert.True(t, isSecret(kubeconfig), "the kubeconfig reaches the provider as a secret")
	context, _ := provider.Input("context")
	assert.Equal(t, "kind-mock", context.StringValue())
	for _, r := range res.Rec.All() {
		assert.Empty(t, r.DeletedWith, "%s %s", r.Type, r.Name)
	}
}

// The kubeconfig is a secret from the kind CLI's stdout to the stack output, and never logged.
func TestKubeconfigStaysSecretEndToEnd(t *testing.T) {
	for _, stack := range stackNames(t) {
		t.Run(stack, func(t *testing.T) {
			r := rendered(t, stack, false)
			kind := mustFind(t, r.Rec, typeCommand, "cluster-kind")
			assert.Contains(t, kind.AdditionalSecretOutputs, "stdout")
			logging, _ := kind.Input("logging")
			assert.Equal(t, "stderr", logging.StringValue(), "stdout (the kubeconfig) must not be logged")

			provider := r.Rec.OfType(typeProvider)[0]
			kubeconfig, _ := provider.Input("kubeconfig")
			assert.True(t, isSecret(kubeconfig), "provider kubeconfig input must be secret")

			out := r.Outputs["kubeconfig"]
			assert.True(t, out.Known)
			assert.True(t, out.Secret, "stack output kubeconfig must be secret")

			for _, res := range r.Rec.All() {
				for _, s := range testkit.PlainStrings(resource.NewObjectProperty(res.Inputs)) {
					assert.NotContains(t, s, "token: mock", "%s %s carries the kubeconfig in plain text", res.Type, res.Name)
				}
			}
		})
	}
}

// kind never gives a LoadBalancer Service an address: no object or chart value may ask for one.
func TestNoServiceOfTypeLoadBalancer(t *testing.T) {
	for _, stack := range stackNames(t) {
		t.Run(stack, func(t *testing.T) {
			r := rendered(t, stack, false)
			for _, o := range r.Objects() {
				spec, _ := o.Manifest["spec"].(map[string]any)
				assert.NotEqual(t, "LoadBalancer", spec["type"], o.String())
				assert.NotContains(t, flatten(o.Manifest), "LoadBalancer", o.String())
			}
			for _, rel := range r.Releases() {
				assert.NotContains(t, flatten(rel.Values), "LoadBalancer", rel.Resource)
			}
		})
	}
}

func flatten(v any) string {
	var b strings.Builder
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				b.WriteString(k + "=")
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		default:
			if s, ok := x.(string); ok {
				b.WriteString(s + ";")
			}
		}
	}
	walk(v)
	return b.String()
}

// A preview (every provider output unknown) registers exactly the resources an update does: nothing is created
// inside an apply, so reviewers see the whole graph.
func TestPreviewRegistersEveryResource(t *testing.T) {
	for _, stack := range stackNames(t) {
		t.Run(stack, func(t *testing.T) {
			up, preview := rendered(t, stack, false), rendered(t, stack, true)
			assert.Equal(t, identities(up.Rec), identities(preview.Rec))
			assert.False(t, preview.Outputs["kubeconfig"].Known, "a preview cannot know the kind kubeconfig")
			for name, out := range up.Outputs {
				assert.True(t, out.Known, "output %s unknown after an update", name)
			}
		})
	}
}

// Every image the program runs itself is the pinned one.
func TestImagesArePinned(t *testing.T) {
	pinned := []string{versions.OllamaImage, versions.CurlImage, versions.SquidImage, versions.ExtAuthzImage, versions.KyvernoAuthzImage}
	for _, stack := range stackNames(t) {
		t.Run(stack, func(t *testing.T) {
			r := rendered(t, stack, false)
			for _, res := range r.Rec.All() {
				for _, s := range testkit.PlainStrings(resource.NewObjectProperty(res.Inputs)) {
					if strings.HasSuffix(s, ":latest") {
						t.Errorf("%s %s uses an unpinned image %q", res.Type, res.Name, s)
					}
				}
			}
			for _, o := range r.Objects() {
				for _, img := range images(o.Manifest) {
					assert.Contains(t, pinned, img, o.String())
				}
			}
		})
	}
}

// images finds container images in a pod template.
func images(m map[string]any) []string {
	var out []string
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if img, ok := x["image"].(string); ok {
				if _, isContainer := x["name"]; isContainer {
					out = append(out, img)
				}
			}
			for _, e := range x {
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(m)
	return out
}
