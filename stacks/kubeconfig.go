package stacks

import (
	"errors"
	"fmt"

	"sigs.k8s.io/yaml"
)

// kubeconfig is the part of a kubeconfig file (k8s.io/client-go/tools/clientcmd/api/v1.Config) the checks need.
type kubeconfig struct {
	Kind           string `json:"kind"`
	CurrentContext string `json:"current-context"`
	Clusters       []struct {
		Name string `json:"name"`
	} `json:"clusters"`
	Contexts []struct {
		Name    string `json:"name"`
		Context struct {
			Cluster string `json:"cluster"`
		} `json:"context"`
	} `json:"contexts"`
}

// parseKubeconfig parses text as a kubeconfig. Its errors describe the shape only: YAML errors quote the input,
// and the input is a secret.
func parseKubeconfig(text string) (*kubeconfig, error) {
	var kc kubeconfig
	if err := yaml.Unmarshal([]byte(text), &kc); err != nil {
		return nil, errors.New("not YAML of a kubeconfig")
	}
	switch {
	case kc.Kind != "Config":
		return nil, errors.New("kind is not Config")
	case len(kc.Contexts) == 0:
		return nil, errors.New("no contexts")
	case len(kc.Clusters) == 0:
		return nil, errors.New("no clusters")
	}
	return &kc, nil
}

// contextProblem is why context name cannot be used, or "".
func (kc *kubeconfig) contextProblem(name string) string {
	for _, c := range kc.Contexts {
		if c.Name != name {
			continue
		}
		for _, cl := range kc.Clusters {
			if cl.Name == c.Context.Cluster {
				return ""
			}
		}
		return fmt.Sprintf("names a context whose cluster is not in the kubeconfig (%d clusters)", len(kc.Clusters))
	}
	return fmt.Sprintf("is not a context in the kubeconfig (it has %d)", len(kc.Contexts))
}
