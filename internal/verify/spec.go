// Package verify proves a live egress-mesh stack works: it reads the stack's outputs, runs each check through a
// Runner (kubectl, docker) and judges the result from curl output and the gateways' and servers' own logs.
package verify

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Egress paths, as in the stack output `path`.
const (
	PathOllama = "ollama"
	PathSquid  = "squid"
)

// Where Squid's access log can be read (squidLogs.kind).
const (
	SquidLogsPod    = "pod"
	SquidLogsDocker = "docker"
	SquidLogsNone   = "none"
)

// Outputs are the stack outputs verify needs. Kubeconfig is the plaintext kubeconfig: never print it.
type Outputs struct {
	Path           string            `json:"path"`
	Kubeconfig     string            `json:"kubeconfig"`
	ClusterName    string            `json:"clusterName"`
	GatewayAddress string            `json:"gatewayAddress"`
	Checks         map[string]string `json:"checks"`
	Verify         Spec              `json:"verify"`
}

// Spec is the `verify` stack output: everything a check needs to find the client, gateway and servers.
type Spec struct {
	Path                 string `json:"path"`
	ClientNamespace      string `json:"clientNamespace"`
	ClientDeployment     string `json:"clientDeployment"`
	ClientContainer      string `json:"clientContainer"`
	ClientServiceAccount string `json:"clientServiceAccount"`
	GatewayNamespace     string `json:"gatewayNamespace"`
	GatewaySelector      string `json:"gatewaySelector"`
	GatewayURL           string `json:"gatewayURL"`

	// Ollama path.
	HostHeader      string `json:"hostHeader"`
	AuthzHeader     string `json:"authzHeader"`
	OllamaContainer string `json:"ollamaContainer"`

	// Squid path.
	DestinationURL    string     `json:"destinationURL"`
	ExtAuthzNamespace string     `json:"extAuthzNamespace"`
	ExtAuthzSelector  string     `json:"extAuthzSelector"`
	SquidLogs         *SquidLogs `json:"squidLogs"`
}

// SquidLogs says where Squid's access log is: a pod (namespace+selector+container), a Docker container, or nowhere
// reachable (an existing corporate proxy).
type SquidLogs struct {
	Kind      string `json:"kind"`
	Namespace string `json:"namespace"`
	Selector  string `json:"selector"`
	Container string `json:"container"`
}

// ClientPrincipal is the SPIFFE identity Istio gives the test client.
func (s Spec) ClientPrincipal() string {
	return fmt.Sprintf("spiffe://cluster.local/ns/%s/sa/%s", s.ClientNamespace, s.ClientServiceAccount)
}

// ParseOutputs reads `pulumi stack output --json --show-secrets` and validates it.
func ParseOutputs(data []byte) (Outputs, error) {
	var o Outputs
	if err := json.Unmarshal(data, &o); err != nil {
		return Outputs{}, fmt.Errorf("stack outputs are not the JSON `pulumi stack output --json` prints: %w", err)
	}
	return o, o.Validate()
}

// OutputsFromMap converts outputs already decoded (e.g. the Automation API's OutputMap values).
func OutputsFromMap(m map[string]any) (Outputs, error) {
	data, err := json.Marshal(m)
	if err != nil {
		return Outputs{}, fmt.Errorf("stack outputs: %w", err)
	}
	return ParseOutputs(data)
}

// Validate reports every missing or inconsistent output at once, naming the key.
func (o Outputs) Validate() error {
	var errs []error
	missing := func(key, v string) {
		if strings.TrimSpace(v) == "" {
			errs = append(errs, fmt.Errorf("stack output %s is missing or empty", key))
		}
	}
	missing("kubeconfig", o.Kubeconfig)
	// Without --show-secrets Pulumi prints the placeholder instead of the value.
	if o.Kubeconfig == "[secret]" {
		errs = append(errs, errors.New("stack output kubeconfig is \"[secret]\": read outputs with --show-secrets"))
	}
	if o.Path != PathOllama && o.Path != PathSquid {
		errs = append(errs, fmt.Errorf("stack output path is %q, want %q or %q", o.Path, PathOllama, PathSquid))
	}
	s := o.Verify
	if s.Path != o.Path {
		errs = append(errs, fmt.Errorf("verify.path is %q but path is %q", s.Path, o.Path))
	}
	missing("verify.clientNamespace", s.ClientNamespace)
	missing("verify.clientDeployment", s.ClientDeployment)
	missing("verify.clientContainer", s.ClientContainer)
	missing("verify.clientServiceAccount", s.ClientServiceAccount)
	switch o.Path {
	case PathOllama:
		missing("verify.gatewayNamespace", s.GatewayNamespace)
		missing("verify.gatewaySelector", s.GatewaySelector)
		missing("verify.gatewayURL", s.GatewayURL)
		missing("verify.hostHeader", s.HostHeader)
		missing("verify.authzHeader", s.AuthzHeader)
		missing("verify.ollamaContainer", s.OllamaContainer)
	case PathSquid:
		missing("verify.destinationURL", s.DestinationURL)
		missing("verify.extAuthzNamespace", s.ExtAuthzNamespace)
		missing("verify.extAuthzSelector", s.ExtAuthzSelector)
		errs = append(errs, s.SquidLogs.validate()...)
	}
	return errors.Join(errs...)
}

func (l *SquidLogs) validate() []error {
	if l == nil {
		return []error{errors.New("stack output verify.squidLogs is missing")}
	}
	var errs []error
	need := func(key, v string) {
		if v == "" {
			errs = append(errs, fmt.Errorf("verify.squidLogs.%s is required when kind is %q", key, l.Kind))
		}
	}
	switch l.Kind {
	case SquidLogsPod:
		need("namespace", l.Namespace)
		need("selector", l.Selector)
	case SquidLogsDocker:
		need("container", l.Container)
	case SquidLogsNone:
	default:
		errs = append(errs, fmt.Errorf("verify.squidLogs.kind is %q, want pod, docker or none", l.Kind))
	}
	return errs
}
