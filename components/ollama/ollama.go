// Package ollama runs the Ollama server the Ollama path egresses to: a Docker container next to the kind
// nodes (outside the cluster, as an external service would be), registered in the mesh by a ServiceEntry.
package ollama

import (
	"fmt"
	"regexp"

	"github.com/pulumi/pulumi-docker/sdk/v4/go/docker"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apiextensions"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/egress-mesh/egress-mesh/internal/kube"
)

// serviceEntryName is the name the seed's HTTPRoute backendRef uses.
const serviceEntryName = "ollama-external-host"

// Args configures the Ollama container and its registration in the mesh.
type Args struct {
	// Existing is the host or IP of an Ollama that already runs (a host install, a GPU box). When set, no
	// container is made and the Docker fields below are ignored.
	Existing string

	Image         string // versions.OllamaImage
	ContainerName string // "ollama-server" (the seed's name; verify pauses it by name)
	Network       string // Docker network pods can reach (kind's "kind" network)
	Port          int    // 11434
	Model         string // optional: pre-pulled with `docker exec <container> ollama pull <model>`
	// DependsOn holds the kind cluster command: it creates the "kind" network.
	DependsOn []pulumi.Resource

	// Registration in the mesh.
	Target    kube.Target
	Namespace string // where the ServiceEntry lives (the gateway's namespace)
	Hostname  string // ServiceEntry host, e.g. host.docker.internal
	// ServiceEntryDependsOn holds Istio base (the CRD), Kyverno's ClusterPolicy (or the entry escapes the
	// label check) and the namespace.
	ServiceEntryDependsOn []pulumi.Resource
}

// Ollama is the component.
type Ollama struct {
	pulumi.ResourceState

	Container *docker.Container
	// Address is the container's IPv4 on Network.
	Address pulumi.StringOutput
	// Endpoint is "http://<Address>:<Port>".
	Endpoint         pulumi.StringOutput
	ServiceEntry     *apiextensions.CustomResource
	ServiceEntryName string
}

// New runs the container, optionally pre-pulls a model, and declares the ServiceEntry.
func New(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*Ollama, error) {
	if err := args.validate(); err != nil {
		return nil, fmt.Errorf("ollama %s: %w", name, err)
	}
	comp := &Ollama{ServiceEntryName: serviceEntryName}
	if err := ctx.RegisterComponentResource("egress-mesh:ollama:Ollama", name, comp, opts...); err != nil {
		return nil, err
	}

	var err error
	if args.Existing != "" {
		comp.Address = pulumi.String(args.Existing).ToStringOutput()
	} else {
		if comp.Container, err = newContainer(ctx, name, args, comp); err != nil {
			return nil, err
		}
		comp.Address = addressOn(comp.Container, args.Network)
		if args.Model != "" {
			if _, err := newModelPull(ctx, name, args, comp.Container, comp); err != nil {
				return nil, err
			}
		}
	}
	comp.Endpoint = pulumi.Sprintf("http://%s:%d", comp.Address, args.Port)

	comp.ServiceEntry, err = newServiceEntry(ctx, args, comp.Address, comp)
	if err != nil {
		return nil, err
	}

	return comp, ctx.RegisterResourceOutputs(comp, pulumi.Map{
		"address":      comp.Address,
		"endpoint":     comp.Endpoint,
		"serviceEntry": pulumi.String(serviceEntryName),
	})
}

// modelName is what `ollama pull` accepts ("llama3.2:1b", "library/qwen2:0.5b"); anything else would be
// pasted into a shell command.
var modelName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:/-]*$`)

func (a *Args) validate() error {
	required := map[string]string{"Namespace": a.Namespace, "Hostname": a.Hostname}
	if a.Existing == "" {
		required["Image"], required["ContainerName"], required["Network"] = a.Image, a.ContainerName, a.Network
	}
	for field, v := range required {
		if v == "" {
			return fmt.Errorf("field %s is required", field)
		}
	}
	if a.Port <= 0 || a.Port > 65535 {
		return fmt.Errorf("port %d: want 1-65535", a.Port)
	}
	if a.Model != "" && !modelName.MatchString(a.Model) {
		return fmt.Errorf("model %q is not an Ollama model name", a.Model)
	}
	return nil
}
