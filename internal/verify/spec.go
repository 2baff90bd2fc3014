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

	// AuthzServer is the L7 decision server's Deployment, which the fail-closed check scales to zero and back.
	AuthzServer *Workload `json:"authzServer"`
	// AuthzErrorStatus is the status the gateway answers when the authz server cannot be reached: kgateway's
	// GatewayExtension statusOnError on the Ollama path, agentgateway's fixed 403 on the Squid path.
	AuthzErrorStatus int `json:"authzErrorStatus"`

	// Ollama path.
	HostHeader      string `json:"hostHeader"`
	AuthzHeader     string `json:"authzHeader"`
	OllamaContainer string `json:"ollamaContainer"`
	// OllamaEndpoint is the container's own address (http://ip:port), which the client must not reach directly.
	OllamaEndpoint string `json:"ollamaEndpoint"`
	// Retry is the route's retry policy as configured, from which the retries check derives what Envoy logs.
	Retry *RetryConfig `json:"retry"`
	// DeniedEvidence is what the Kyverno policy's own deny carries besides the status, so a 403 from anything
	// else (statusOnError's default, a different filter) cannot pass for a decision.
	DeniedEvidence *Evidence `json:"deniedEvidence"`

	// Squid path.
	DestinationURL    string     `json:"destinationURL"`
	ExtAuthzNamespace string     `json:"extAuthzNamespace"`
	ExtAuthzSelector  string     `json:"extAuthzSelector"`
	SquidLogs         *SquidLogs `json:"squidLogs"`
	// SquidProxy is Squid's host:port as a pod would dial it; only the gateway may.
	SquidProxy string `json:"squidProxy"`
	// TLSDestinations are the destinations the gateway reaches over TLS through Squid's CONNECT tunnel.
	TLSDestinations []TLSDestination `json:"tlsDestinations"`
}

// Workload names a Deployment and the label selector of its pods.
type Workload struct {
	Namespace  string `json:"namespace"`
	Deployment string `json:"deployment"`
	Selector   string `json:"selector"`
}

// RetryConfig is the TrafficPolicy's retry block: attempts (Envoy's num_retries), per-try and request timeouts
// as Gateway API durations; an empty timeout is unset.
type RetryConfig struct {
	Attempts       int    `json:"attempts"`
	PerTryTimeout  string `json:"perTryTimeout"`
	RequestTimeout string `json:"requestTimeout"`
}

// Evidence is what a response must carry to count as a given decision: a header with a value, and/or a body
// substring.
type Evidence struct {
	Header string `json:"header"`
	Value  string `json:"value"`
	Body   string `json:"body"`
}

// TLSDestination is one TLS destination: the URL the client calls and the CONNECT target (host:443) Squid
// must log for it.
type TLSDestination struct {
	URL     string `json:"url"`
	Connect string `json:"connect"`
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
		// ollamaContainer is empty for an Ollama the stack does not run (ollamaMode existing).
		missing("verify.ollamaEndpoint", s.OllamaEndpoint)
		errs = append(errs, s.Retry.validate()...)
	case PathSquid:
		missing("verify.destinationURL", s.DestinationURL)
		missing("verify.extAuthzNamespace", s.ExtAuthzNamespace)
		missing("verify.extAuthzSelector", s.ExtAuthzSelector)
		missing("verify.squidProxy", s.SquidProxy)
		errs = append(errs, s.SquidLogs.validate()...)
		for i, d := range s.TLSDestinations {
			missing(fmt.Sprintf("verify.tlsDestinations[%d].url", i), d.URL)
			missing(fmt.Sprintf("verify.tlsDestinations[%d].connect", i), d.Connect)
		}
	}
	if s.AuthzServer == nil {
		errs = append(errs, errors.New("stack output verify.authzServer is missing"))
	} else {
		missing("verify.authzServer.namespace", s.AuthzServer.Namespace)
		missing("verify.authzServer.deployment", s.AuthzServer.Deployment)
		missing("verify.authzServer.selector", s.AuthzServer.Selector)
	}
	if s.AuthzErrorStatus < 400 || s.AuthzErrorStatus > 599 {
		errs = append(errs, fmt.Errorf("stack output verify.authzErrorStatus is %d, want an HTTP error status (400-599)", s.AuthzErrorStatus))
	}
	return errors.Join(errs...)
}

func (r *RetryConfig) validate() []error {
	if r == nil {
		return []error{errors.New("stack output verify.retry is missing")}
	}
	var errs []error
	if r.Attempts < 0 {
		errs = append(errs, fmt.Errorf("verify.retry.attempts is %d, want 0 or more", r.Attempts))
	}
	for _, kv := range [][2]string{{"perTryTimeout", r.PerTryTimeout}, {"requestTimeout", r.RequestTimeout}} {
		if _, err := optionalDuration(kv[1]); err != nil {
			errs = append(errs, fmt.Errorf("verify.retry.%s %q is not a duration: %v", kv[0], kv[1], err))
		}
	}
	return errs
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
