package conformance

import (
	"fmt"
	"sort"
	"strings"
)

// meshField describes Istio MeshConfig (istio.io/api mesh/v1alpha1/config.proto) by JSON field name.
// nil: a scalar or a message not modelled here (accepted whole); map: a message; list: repeated message.
type meshField = any

type meshList struct{ elem map[string]meshField }

var extAuthzBody = map[string]meshField{"maxRequestBytes": nil, "allowPartialMessage": nil, "packAsBytes": nil}

var meshConfigFields = map[string]meshField{
	"proxyListenPort": nil, "proxyInboundListenPort": nil, "proxyHttpPort": nil, "connectTimeout": nil,
	"protocolDetectionTimeout": nil, "tcpKeepalive": nil, "ingressClass": nil, "ingressService": nil,
	"ingressControllerMode": nil, "ingressSelector": nil, "enableTracing": nil,
	"accessLogFile": nil, "accessLogFormat": nil, "accessLogEncoding": nil,
	"enableEnvoyAccessLogService": nil, "disableEnvoyListenerLog": nil,
	"defaultConfig":         nil, // ProxyConfig: not modelled
	"outboundTrafficPolicy": map[string]meshField{"mode": nil},
	"inboundTrafficPolicy":  map[string]meshField{"mode": nil},
	"configSources":         nil, "enableAutoMtls": nil, "trustDomain": nil, "trustDomainAliases": nil,
	"caCertificates":         meshList{map[string]meshField{"pem": nil, "spiffeBundleUrl": nil, "certSigners": nil, "trustDomains": nil}},
	"defaultServiceExportTo": nil, "defaultVirtualServiceExportTo": nil, "defaultDestinationRuleExportTo": nil,
	"rootNamespace": nil, "localityLbSetting": nil, "dnsRefreshRate": nil, "h2UpgradePolicy": nil,
	"inboundClusterStatName": nil, "outboundClusterStatName": nil, "certificates": nil, "serviceSettings": nil,
	"enablePrometheusMerge": nil, "verifyCertificateAtClient": nil, "ca": nil,
	"extensionProviders": meshList{map[string]meshField{
		"name": nil,
		"envoyExtAuthzHttp": map[string]meshField{
			"service": nil, "port": nil, "timeout": nil, "pathPrefix": nil, "failOpen": nil, "statusOnError": nil,
			"includeHeadersInCheck": nil, "includeRequestHeadersInCheck": nil, "includeAdditionalHeadersInCheck": nil,
			"includeRequestBodyInCheck": extAuthzBody, "headersToUpstreamOnAllow": nil,
			"headersToDownstreamOnDeny": nil, "headersToDownstreamOnAllow": nil,
		},
		"envoyExtAuthzGrpc": map[string]meshField{
			"service": nil, "port": nil, "timeout": nil, "failOpen": nil, "statusOnError": nil,
			"includeRequestBodyInCheck": extAuthzBody,
		},
		"envoyFileAccessLog": map[string]meshField{"path": nil, "logFormat": map[string]meshField{"text": nil, "labels": nil}},
		"zipkin":             nil, "lightstep": nil, "datadog": nil, "stackdriver": nil, "opencensus": nil,
		"skywalking": nil, "opentelemetry": nil, "prometheus": nil,
		"envoyHttpAls": nil, "envoyTcpAls": nil, "envoyOtelAls": nil,
	}},
	"defaultProviders":       map[string]meshField{"tracing": nil, "metrics": nil, "accessLogging": nil},
	"discoverySelectors":     nil,
	"pathNormalization":      map[string]meshField{"normalization": nil},
	"defaultHttpRetryPolicy": nil,
	"meshMTLS":               map[string]meshField{"minProtocolVersion": nil, "ecdhCurves": nil, "cipherSuites": nil},
	"tlsDefaults":            map[string]meshField{"minProtocolVersion": nil, "ecdhCurves": nil, "cipherSuites": nil},
	"compliancePolicy":       nil,
	"serviceScopeConfigs":    nil,
}

// checkMeshConfig checks a meshConfig value against MeshConfig's field names. Istio parses mesh
// config with protobuf JSON rules, which also accept the proto (snake_case) names.
func checkMeshConfig(at string, v any) []string {
	var errs []string
	checkMessage(at, v, meshConfigFields, &errs)
	return errs
}

func checkMessage(at string, v any, fields map[string]meshField, errs *[]string) {
	m, ok := v.(map[string]any)
	if !ok {
		if v != nil {
			*errs = append(*errs, fmt.Sprintf("%s: want a map, got %T", at, v))
		}
		return
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		spec, ok := fields[k]
		if !ok {
			spec, ok = fields[lowerCamel(k)]
		}
		p := at + "." + k
		if !ok {
			*errs = append(*errs, fmt.Sprintf("%s: not a MeshConfig field%s", p, suggestKeys(k, fields)))
			continue
		}
		switch s := spec.(type) {
		case map[string]meshField:
			checkMessage(p, m[k], s, errs)
		case meshList:
			list, isList := m[k].([]any)
			if !isList {
				if m[k] != nil {
					*errs = append(*errs, fmt.Sprintf("%s: want a list, got %T", p, m[k]))
				}
				continue
			}
			for i, e := range list {
				checkMessage(fmt.Sprintf("%s[%d]", p, i), e, s.elem, errs)
			}
		}
	}
}

func lowerCamel(s string) string {
	parts := strings.Split(s, "_")
	for i := 1; i < len(parts); i++ {
		if parts[i] != "" {
			parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
		}
	}
	return strings.Join(parts, "")
}
