package verify

// Real-shaped outputs: curl -sSv transcripts as curl 8.x prints them; gateway log lines as Envoy writes them
// with the gateway in an ambient namespace (its upstream connection goes to ztunnel, so a dead backend shows as
// UC/connection_termination and a paused one as per-try timeouts, never the seed's URX,UF); ext-authz and Squid
// lines as seed 002 shows them.

const curlOllama200 = `* Host egress-kgateway.egress.svc.cluster.local:8080 was resolved.
* IPv6: (none)
* IPv4: 10.96.45.12
*   Trying 10.96.45.12:8080...
* Connected to egress-kgateway.egress.svc.cluster.local (10.96.45.12) port 8080
* using HTTP/1.x
> GET / HTTP/1.1
> Host: host.docker.internal
> User-Agent: curl/8.16.0
> Accept: */*
> x-force-authorized: true
>
* Request completely sent off
< HTTP/1.1 200 OK
< content-type: text/plain; charset=utf-8
< date: Fri, 05 Dec 2025 20:10:43 GMT
< content-length: 17
< x-envoy-upstream-service-time: 3
< server: envoy
<
{ [17 bytes data]
* Connection #0 to host egress-kgateway.egress.svc.cluster.local left intact
`

const curl403 = "* Connected to egress-kgateway.egress.svc.cluster.local (10.96.45.12) port 8080\r\n" +
	"> GET / HTTP/1.1\r\n> Host: host.docker.internal\r\n>\r\n" +
	"< HTTP/1.1 403 Forbidden\r\n< date: Fri, 05 Dec 2025 20:11:02 GMT\r\n< server: envoy\r\n< content-length: 0\r\n<\r\n" +
	"* Connection #0 to host egress-kgateway.egress.svc.cluster.local left intact\r\n"

const curl503 = `* Connected to egress-kgateway.egress.svc.cluster.local (10.96.45.12) port 8080
> GET /?verify=n0nce123 HTTP/1.1
> Host: host.docker.internal
>
< HTTP/1.1 503 Service Unavailable
< content-length: 145
< content-type: text/plain
< server: envoy
<
* Connection #0 to host egress-kgateway.egress.svc.cluster.local left intact
`

// body503 is Envoy's local reply after the last retry of a reset (router.cc onUpstreamReset).
const body503 = "upstream connect error or disconnect/reset before headers. retried and the latest reset reason: " +
	"connection termination"

// curl504 is what a paused Ollama gives: every try ends at the per-try timeout (router.cc onUpstreamTimeoutAbort).
const curl504 = `* Connected to egress-kgateway.egress.svc.cluster.local (10.96.45.12) port 8080
> GET /?verify=n0nce123 HTTP/1.1
> Host: host.docker.internal
> x-force-authorized: true
>
< HTTP/1.1 504 Gateway Timeout
< content-length: 24
< content-type: text/plain
< server: envoy
<
* Connection #0 to host egress-kgateway.egress.svc.cluster.local left intact
`

const body504 = "upstream request timeout"

// curlPolicyDenied is the Kyverno policy's deny as the gateway relays it: 403 with the policy's header.
const curlPolicyDenied = "* Connected to egress-kgateway.egress.svc.cluster.local (10.96.45.12) port 8080\r\n" +
	"> GET /?verify=n0nce123 HTTP/1.1\r\n> Host: host.docker.internal\r\n>\r\n" +
	"< HTTP/1.1 403 Forbidden\r\n< x-egress-authz: denied\r\n< date: Fri, 05 Dec 2025 20:11:02 GMT\r\n" +
	"< server: envoy\r\n< content-length: 0\r\n<\r\n" +
	"* Connection #0 to host egress-kgateway.egress.svc.cluster.local left intact\r\n"

// curlAuthzDown is Envoy's ext_authz reply when the server is unreachable and statusOnError is 503.
const curlAuthzDown = `* Connected to egress-kgateway.egress.svc.cluster.local (10.96.45.12) port 8080
> GET /?verify=n0nce123 HTTP/1.1
> Host: host.docker.internal
> x-force-authorized: true
>
< HTTP/1.1 503 Service Unavailable
< date: Fri, 05 Dec 2025 20:12:40 GMT
< server: envoy
< content-length: 0
<
* Connection #0 to host egress-kgateway.egress.svc.cluster.local left intact
`

const curlReset = `* Host egress-kgateway.egress.svc.cluster.local:8080 was resolved.
*   Trying 10.96.45.12:8080...
* Connected to egress-kgateway.egress.svc.cluster.local (10.96.45.12) port 8080
> GET / HTTP/1.1
> Host: host.docker.internal
>
* Recv failure: Connection reset by peer
* closing connection #0
curl: (56) Recv failure: Connection reset by peer
`

const curlTimeout = `*   Trying 66.241.125.232:80...
* Connection timed out after 10002 milliseconds
* closing connection #0
curl: (28) Connection timed out after 10002 milliseconds
`

const curlSquid200 = `* Host httpbingo.org:80 was resolved.
*   Trying 240.240.0.3:80...
* Connected to httpbingo.org (240.240.0.3) port 80
> GET /headers HTTP/1.1
> Host: httpbingo.org
> x-ext-authz: allow
>
< HTTP/1.1 200 OK
< access-control-allow-credentials: true
< content-type: application/json; encoding=utf-8
< x-ext-authz-check-result: allowed
<
`

const bodyHeadersAllowed = `{
  "headers": {
    "Accept": ["*/*"],
    "Host": ["httpbingo.org"],
    "User-Agent": ["curl/8.16.0"],
    "X-Ext-Authz": ["allow"],
    "X-Ext-Authz-Check-Result": ["allowed"]
  }
}`

const bodyHeadersPlain = `{"headers": {"Accept": ["*/*"], "Host": ["httpbingo.org"]}}`

// curlSquid403 is the sample ext-authz server's denial as agentgateway relays it (its DeniedHttpResponse
// headers and body).
const curlSquid403 = `* Connected to httpbingo.org (240.240.0.3) port 80
> GET /headers HTTP/1.1
> Host: httpbingo.org
>
< HTTP/1.1 403 Forbidden
< x-ext-authz-check-result: denied
< x-ext-authz-additional-header-override: grpc-additional-header-override-value
< content-length: 76
<
`

const bodySquidDenied = "denied by ext_authz for not found header `x-ext-authz: allow` in the request"

// curlAgwAuthzFailed is agentgateway's own reply when ext-authz cannot be reached (FailClosed).
const curlAgwAuthzFailed = `* Connected to httpbingo.org (240.240.0.3) port 80
> GET /headers HTTP/1.1
> Host: httpbingo.org
> x-ext-authz: allow
>
< HTTP/1.1 403 Forbidden
< content-type: text/plain
< content-length: 29
<
`

// curlSquidACLDenied is Squid refusing a client by ACL: its error page's header.
const curlSquidACLDenied = `*   Trying 10.96.200.7:3128...
* Connected to squid.proxy.svc.cluster.local (10.96.200.7) port 3128
> GET http://httpbingo.org/headers HTTP/1.1
> Host: httpbingo.org
> Proxy-Connection: Keep-Alive
>
< HTTP/1.1 403 Forbidden
< Server: squid/6.13
< Mime-Version: 1.0
< Content-Type: text/html;charset=utf-8
< X-Squid-Error: ERR_ACCESS_DENIED 0
< Connection: keep-alive
<
`

const kubectlNotFound = `Error from server (NotFound): deployments.apps "curl-client" not found`

// envoyLogs is what kubectl logs shows for the kgateway proxy: Envoy's own text lines, the controller-style JSON
// lines that are not access-log entries, and access-log entries: a served request, an earlier request while
// Ollama was stopped (ztunnel accepted, then closed: UC) and this run's request while it was paused (4 tries of
// 5s, each ended by the per-try timeout, then URX).
const envoyLogs = `[2025-12-05 20:09:01.101][1][info][main] [source/server/server.cc:989] starting main dispatch loop
{"level":"info","ts":"2025-12-05T20:09:02Z","msg":"xds: received config"}
{"attempt_count":1,"authority":"host.docker.internal","duration":4,"method":"GET","path":"/","response_code_details":"via_upstream","response_flags":"-","start_time":"2025-12-05T20:10:43.445Z","status":200,"upstream_host":"172.18.0.5:11434","upstream_transport_failure_reason":null}
{"attempt_count":4,"authority":"host.docker.internal","duration":61,"method":"GET","path":"/?verify=0ld0ld00","response_code_details":"upstream_reset_before_response_started{connection_termination}","response_flags":"UC,URX","start_time":"2025-12-05T20:10:50.001Z","status":503,"upstream_host":"172.18.0.5:11434","upstream_transport_failure_reason":null}
{"attempt_count":4,"authority":"host.docker.internal","duration":20163,"method":"GET","path":"/?verify=n0nce123","response_code_details":"upstream_per_try_timeout","response_flags":"UT,URX","start_time":"2025-12-05T20:11:10.020Z","status":504,"upstream_host":"172.18.0.5:11434","upstream_transport_failure_reason":null}
`

// Gateway entries for ext_authz's own replies (ext_authz.cc: UAEX, with the details saying decision or error).
const envoyDeniedEntry = `{"attempt_count":0,"authority":"host.docker.internal","duration":2,"method":"GET","path":"/?verify=n0nce123","response_code_details":"ext_authz_denied","response_flags":"UAEX","status":403,"upstream_host":null}`
const envoyAuthzErrorEntry = `{"attempt_count":0,"authority":"host.docker.internal","duration":1,"method":"GET","path":"/?verify=n0nce123","response_code_details":"ext_authz_error","response_flags":"UAEX","status":503,"upstream_host":null}`

const squidConnectLine = `1764965448.445   5552 10.40.3.47 TCP_TUNNEL/200 811 CONNECT httpbingo.org:80 - HIER_DIRECT/66.241.125.232 -`
const squidTLSLine = `1764965450.311    402 10.244.2.14 TCP_TUNNEL/200 6123 CONNECT api.openai.com:443 - HIER_DIRECT/162.159.140.245 -`
const squidGetLine = `1764965449.120     87 10.244.1.9 TCP_MISS/200 912 GET http://httpbingo.org/headers - HIER_DIRECT/66.241.125.232 application/json`

const extAuthzAllowedLine = `2025/12/05 20:13:53 [gRPCv3][allowed]: httpbingo.org/headers, attributes: source:{address:{socket_address:{address:"10.40.3.52"  port_value:39116}}  principal:"spiffe://cluster.local/ns/ns1/sa/sleep"}  destination:{address:{socket_address:{address:"10.40.3.47"  port_value:15008}}}  request:{time:{seconds:1764965285  nanos:166653674}  http:{id:"4086db120dc5b2cf77c103853d8a28b8"  method:"GET"  headers:{key:"accept"  value:"*/*"}  headers:{key:"user-agent"  value:"curl/8.16.0"}  headers:{key:"x-ext-authz"  value:"allow"}  path:"/headers"  host:"httpbingo.org"  scheme:"https"  protocol:"HTTP/1.1"}}  tls_session:{}`

const extAuthzDeniedLine = `2025/12/05 20:13:40 [gRPCv3][denied]: httpbingo.org/headers, attributes: source:{address:{socket_address:{address:"10.40.3.52" port_value:39110}} principal:"spiffe://cluster.local/ns/ns1/sa/sleep"} destination:{address:{socket_address:{address:"10.40.3.47" port_value:15008}}} request:{http:{method:"GET" path:"/headers" host:"httpbingo.org"}}`
