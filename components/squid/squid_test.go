package squid

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi-docker/sdk/v4/go/docker"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/egress-mesh/egress-mesh/components/agentgateway"
	"github.com/egress-mesh/egress-mesh/internal/kube"
	"github.com/egress-mesh/egress-mesh/internal/recorder"
	"github.com/egress-mesh/egress-mesh/internal/testkit"
	"github.com/egress-mesh/egress-mesh/versions"
)

const password = "Sup3r-Secret-pw"

// plainDest is the seed's one destination, plain HTTP on port 80.
var plainDest = []agentgateway.Destination{{Host: "httpbingo.org", Port: 80}}

// run builds the component with args (a Target and, for docker mode, a stand-in network are filled in) and
// returns the recording, the component and its tunnel host once resolved.
func run(t *testing.T, args Args) (*recorder.Recorder, *Squid, string) {
	t.Helper()
	var comp *Squid
	host := make(chan string, 1)
	rec := testkit.Run(t, false, func(ctx *pulumi.Context, target kube.Target) error {
		args.Target = target
		if args.Mode == ModeDocker {
			net, err := docker.NewNetwork(ctx, "kind-network", &docker.NetworkArgs{Name: pulumi.String("kind")})
			if err != nil {
				return err
			}
			args.DependsOn = []pulumi.Resource{net}
		}
		var err error
		if comp, err = New(ctx, "squid", &args); err != nil {
			return err
		}
		if comp.Proxy.Host != nil {
			comp.Proxy.Host.ToStringOutput().ApplyT(func(h string) string { host <- h; return h })
		}
		return nil
	})
	got := ""
	if comp.Proxy.Host != nil {
		select {
		case got = <-host:
		case <-time.After(5 * time.Second):
			t.Fatal("tunnel host never resolved")
		}
	}
	return rec, comp, got
}

func creds() *Credentials {
	return &Credentials{Username: "egress", Password: pulumi.ToSecret(pulumi.String(password)).(pulumi.StringOutput)}
}

// assertNoPlainPassword: the password (or its base64) may appear only inside a secret value.
func assertNoPlainPassword(t *testing.T, rec *recorder.Recorder) {
	t.Helper()
	testkit.AssertNoPlainText(t, rec, password, base64.StdEncoding.EncodeToString([]byte(password)))
}

// htpasswdUploadIsSecret reports whether the container's htpasswd upload content was sent as a secret.
func htpasswdUploadIsSecret(ctr *recorder.Resource) bool {
	isSecret := func(v resource.PropertyValue) bool {
		return v.IsSecret() || (v.IsOutput() && v.OutputValue().Secret)
	}
	uploads := ctr.Inputs["uploads"]
	if isSecret(uploads) {
		return true
	}
	for _, u := range uploads.ArrayValue() {
		if isSecret(u) {
			return true
		}
		o := u.ObjectValue()
		if o["file"].StringValue() == HtpasswdPath {
			return isSecret(o["content"])
		}
	}
	return false
}

func TestClusterMode(t *testing.T) {
	rec, comp, _ := run(t, Args{Mode: ModeCluster, PodCIDR: "10.244.0.0/16", Destinations: plainDest})

	ns := rec.Find("kubernetes:core/v1:Namespace", "ns-proxy")
	require.NotNil(t, ns)
	cm := rec.Find("kubernetes:core/v1:ConfigMap", "squid-conf")
	require.NotNil(t, cm)
	data := cm.Plain()["data"].(map[string]any)["squid.conf"].(string)
	assert.Equal(t, Conf([]string{"10.244.0.0/16"}, plainDest, false), data)

	dep := rec.Find("kubernetes:apps/v1:Deployment", "squid")
	require.NotNil(t, dep)
	pod := dep.Plain()["spec"].(map[string]any)["template"].(map[string]any)["spec"].(map[string]any)
	ctr := pod["containers"].([]any)[0].(map[string]any)
	assert.Equal(t, versions.SquidImage, ctr["image"])
	assert.EqualValues(t, 3128, ctr["ports"].([]any)[0].(map[string]any)["containerPort"])
	mounts := ctr["volumeMounts"].([]any)
	require.Len(t, mounts, 1, "no htpasswd without credentials")
	assert.Equal(t, "/etc/squid/squid.conf", mounts[0].(map[string]any)["mountPath"])
	assert.Equal(t, "squid.conf", mounts[0].(map[string]any)["subPath"])
	assert.Equal(t, "squid-conf", pod["volumes"].([]any)[0].(map[string]any)["configMap"].(map[string]any)["name"])
	assert.Empty(t, rec.OfType("kubernetes:core/v1:Secret"))

	svc := rec.Find("kubernetes:core/v1:Service", "squid")
	require.NotNil(t, svc)
	s := svc.Plain()
	assert.Equal(t, "proxy", s["metadata"].(map[string]any)["namespace"])
	assert.Equal(t, "ClusterIP", s["spec"].(map[string]any)["type"])
	assert.Equal(t, map[string]any{"app": "squid"}, s["spec"].(map[string]any)["selector"])
	assert.EqualValues(t, 3128, s["spec"].(map[string]any)["ports"].([]any)[0].(map[string]any)["port"])

	for _, r := range []*recorder.Resource{cm, dep, svc} {
		assert.True(t, rec.WaitsFor(r, ns), r.Name)
	}
	np := rec.Find("kubernetes:networking.k8s.io/v1:NetworkPolicy", "squid-ingress")
	require.NotNil(t, np)
	assert.True(t, rec.WaitsFor(dep, np), "Squid never runs before the policy that guards it")
	require.NotNil(t, comp.Proxy.Service)
	assert.Equal(t, "squid", comp.Proxy.Service.Name)
	assert.Equal(t, "proxy", comp.Proxy.Service.Namespace)
	assert.Equal(t, 3128, comp.Proxy.Service.Port)
	assert.Nil(t, comp.Proxy.Host)
	assert.Len(t, comp.Proxy.Ready, 2)
	assert.Equal(t, Logs{Kind: "pod", Namespace: "proxy", Selector: "app=squid", Container: "squid"}, comp.Logs)
	assert.Empty(t, rec.OfType("docker:index/container:Container"))
}

func TestClusterModeWithCredentials(t *testing.T) {
	rec, _, _ := run(t, Args{Mode: ModeCluster, PodCIDR: "10.244.0.0/16", Credentials: creds()})

	line := secretHtpasswd(t, rec)
	salt := htpasswdSalt("egress-mesh", "test", "egress") // testkit's project and stack
	require.True(t, strings.HasPrefix(line, "egress:$6$rounds=200000$"+salt+"$"), "the salt comes from project, stack and user")
	assert.Equal(t, strings.TrimSpace(strings.TrimPrefix(line, "egress:")), sha512Crypt(password, salt, hashRounds), "the line verifies the password")
	assertNoCommand(t, rec)

	cm := rec.Find("kubernetes:core/v1:ConfigMap", "squid-conf")
	data := cm.Plain()["data"].(map[string]any)["squid.conf"].(string)
	assert.Contains(t, data, "acl proxy_users proxy_auth REQUIRED")

	dep := rec.Find("kubernetes:apps/v1:Deployment", "squid")
	pod := dep.Plain()["spec"].(map[string]any)["template"].(map[string]any)["spec"].(map[string]any)
	vols := pod["volumes"].([]any)
	require.Len(t, vols, 2)
	assert.Equal(t, "squid-htpasswd", vols[1].(map[string]any)["secret"].(map[string]any)["secretName"])
	mounts := pod["containers"].([]any)[0].(map[string]any)["volumeMounts"].([]any)
	assert.Equal(t, "/etc/squid/auth", mounts[1].(map[string]any)["mountPath"])
	assert.Nil(t, mounts[1].(map[string]any)["subPath"], "a subPath mount would never see a new password")
	assertNoPlainPassword(t, rec)
}

// assertNoCommand: the Squid component declares no command, so a stack with credentials needs no
// pulumi-command provider plugin for it.
func assertNoCommand(t *testing.T, rec *recorder.Recorder) {
	t.Helper()
	squid := rec.Find("egress-mesh:squid:Squid", "squid")
	require.NotNil(t, squid)
	for _, r := range rec.All() {
		if rec.IsDescendant(r, squid) {
			assert.NotEqual(t, "command:local:Command", r.Type, r.Name)
		}
	}
}

// htpasswdOn runs cluster mode with credentials as project/stack, in an update or a preview, and returns the
// htpasswd line the Secret carries; it fails unless the line is known and a Pulumi secret.
func htpasswdOn(t *testing.T, project, stack, user, pw string, dryRun bool) string {
	t.Helper()
	rec := recorder.New(dryRun)
	err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		provider, err := kubernetes.NewProvider(ctx, "k8s", &kubernetes.ProviderArgs{})
		if err != nil {
			return err
		}
		_, err = New(ctx, "squid", &Args{Mode: ModeCluster, PodCIDR: "10.244.0.0/16", Target: kube.Target{Provider: provider},
			Credentials: &Credentials{Username: user, Password: pulumi.ToSecret(pulumi.String(pw)).(pulumi.StringOutput)}})
		return err
	}, pulumi.WithMocks(project, stack, rec), func(info *pulumi.RunInfo) { info.DryRun = dryRun })
	require.NoError(t, err)
	line := secretHtpasswd(t, rec)
	testkit.AssertNoPlainText(t, rec, pw)
	return line
}

// secretHtpasswd is the htpasswd line of the Squid's Secret; it fails unless the line is known and a Pulumi
// secret.
func secretHtpasswd(t *testing.T, rec *recorder.Recorder) string {
	t.Helper()
	secret := rec.Find("kubernetes:core/v1:Secret", "squid-htpasswd")
	require.NotNil(t, secret)
	raw := secret.Inputs["stringData"]
	require.True(t, raw.IsSecret() || (raw.IsOutput() && raw.OutputValue().Secret), "htpasswd must stay a Pulumi secret")
	v, ok := secret.Input("stringData.htpasswd")
	require.True(t, ok)
	line, _ := recorder.Plain(v).(string)
	require.NotEmpty(t, line, "the line is known, also in a preview")
	return line
}

// Through the component: equal credentials give different lines on different stacks, projects and users; the
// same stack gives the same line in every update and preview (no diff, no restart); a changed password gives a
// new line with the same salt.
func TestHtpasswdPerStackAndStable(t *testing.T) {
	const pw = "Sup3r-Secret-pw"
	line := htpasswdOn(t, "egress-mesh", "dev", "egress", pw, false)
	assert.Equal(t, "egress:"+sha512Crypt(pw, htpasswdSalt("egress-mesh", "dev", "egress"), hashRounds)+"\n", line)

	assert.Equal(t, line, htpasswdOn(t, "egress-mesh", "dev", "egress", pw, false), "another run: the same line")
	assert.Equal(t, line, htpasswdOn(t, "egress-mesh", "dev", "egress", pw, true), "a preview: the same line")
	assert.NotEqual(t, line, htpasswdOn(t, "egress-mesh", "prod", "egress", pw, false), "another stack")
	assert.NotEqual(t, line, htpasswdOn(t, "other-project", "dev", "egress", pw, false), "another project")
	assert.NotEqual(t, strings.TrimPrefix(line, "egress:"),
		strings.TrimPrefix(htpasswdOn(t, "egress-mesh", "dev", "egress2", pw, false), "egress2:"), "another user")

	changed := htpasswdOn(t, "egress-mesh", "dev", "egress", pw+"!", false)
	assert.NotEqual(t, line, changed, "a changed password: a new line")
	prefix := "egress:$6$rounds=200000$" + htpasswdSalt("egress-mesh", "dev", "egress") + "$"
	assert.True(t, strings.HasPrefix(line, prefix), line)
	assert.True(t, strings.HasPrefix(changed, prefix), "the password does not change the salt: %s", changed)
}

func TestDockerMode(t *testing.T) {
	rec, comp, host := run(t, Args{Mode: ModeDocker, PodCIDR: "10.244.0.0/16", Network: "kind",
		ContainerName: "egress-mesh-squid", Destinations: plainDest, Credentials: creds()})

	ctr := rec.Find("docker:index/container:Container", "squid")
	require.NotNil(t, ctr)
	c := ctr.Plain()
	assert.Equal(t, "egress-mesh-squid", c["name"])
	assert.Equal(t, []any{map[string]any{"name": "kind"}}, c["networksAdvanced"])
	assert.Nil(t, c["ports"], "no published port")
	uploads := map[string]any{}
	for _, u := range c["uploads"].([]any) {
		uploads[u.(map[string]any)["file"].(string)] = u.(map[string]any)["content"]
	}
	// kind masquerades pod traffic to the node's address on the Docker network: the pod CIDR would admit
	// nothing there, so only Docker's private ranges are admitted (dockerPrivateRanges).
	assert.Equal(t, Conf([]string{"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"}, plainDest, true),
		uploads["/etc/squid/squid.conf"])
	assert.NotContains(t, uploads["/etc/squid/squid.conf"], "10.244.0.0/16")
	assert.Empty(t, rec.OfType("kubernetes:networking.k8s.io/v1:NetworkPolicy"), "no pod to guard in docker mode")
	require.Contains(t, uploads, "/etc/squid/auth/htpasswd")
	assert.True(t, strings.HasPrefix(uploads["/etc/squid/auth/htpasswd"].(string), "egress:$6$rounds=200000$"+htpasswdSalt("egress-mesh", "test", "egress")+"$"))
	assertNoCommand(t, rec)
	assert.True(t, htpasswdUploadIsSecret(ctr), "the htpasswd upload must stay a Pulumi secret")
	assertNoPlainPassword(t, rec)

	img := rec.Find("docker:index/remoteImage:RemoteImage", "squid-image")
	require.NotNil(t, img)
	name, _ := img.Input("name")
	assert.Equal(t, versions.SquidImage, name.StringValue())
	assert.True(t, rec.WaitsFor(ctr, img))
	assert.True(t, rec.WaitsFor(ctr, rec.Named("kind-network")), "the container needs kind's network")

	assert.Nil(t, comp.Proxy.Service)
	assert.Equal(t, recorder.FakeContainerIP, host, "the tunnel goes to the container's address on the kind network")
	assert.Equal(t, 3128, comp.Proxy.Port)
	assert.Equal(t, Logs{Kind: "docker", Container: "egress-mesh-squid"}, comp.Logs)
	assert.Empty(t, rec.OfType("kubernetes:apps/v1:Deployment"))
}

func TestExistingModeRunsNothing(t *testing.T) {
	rec, comp, host := run(t, Args{Mode: ModeExisting, Address: "proxy.corp.example:8080", Credentials: creds()})
	squid := rec.Find("egress-mesh:squid:Squid", "squid")
	require.NotNil(t, squid)
	assert.Empty(t, rec.Children(squid))
	for _, r := range rec.All() {
		if r.Type == "command:local:Command" && r.Name == testkit.Cluster && !rec.IsDescendant(r, squid) {
			continue // testkit.Run's stand-in for the kind cluster
		}
		assert.Contains(t, []string{"pulumi:providers:kubernetes", "egress-mesh:squid:Squid"}, r.Type)
	}
	assert.Equal(t, "proxy.corp.example", host)
	assert.Equal(t, 8080, comp.Proxy.Port)
	assert.Nil(t, comp.Proxy.Service)
	assert.Equal(t, "none", comp.Logs.Kind)
}

func TestBadModeAndAddress(t *testing.T) {
	for _, args := range []Args{{Mode: "k8s"}, {Mode: ModeExisting, Address: "no-port"}} {
		_, err := testkit.Program(false, func(ctx *pulumi.Context) error {
			_, err := New(ctx, "squid", &args)
			return err
		})
		assert.Error(t, err, args.Mode)
	}
}

func TestNoLoadBalancer(t *testing.T) {
	rec, _, _ := run(t, Args{Mode: ModeCluster, PodCIDR: "10.244.0.0/16"})
	for _, svc := range rec.OfType("kubernetes:core/v1:Service") {
		typ, _ := svc.Input("spec.type")
		assert.NotEqual(t, "LoadBalancer", typ.StringValue())
	}
}

func TestDockerModePreviewLeavesTheAddressUnknown(t *testing.T) {
	rec, err := testkit.Program(true, func(ctx *pulumi.Context) error {
		comp, err := New(ctx, "squid", &Args{Mode: ModeDocker, PodCIDR: "10.244.0.0/16", Network: "kind", ContainerName: "c"})
		if err != nil {
			return err
		}
		comp.Proxy.Host.ToStringOutput().ApplyT(func(h string) string {
			t.Errorf("the container address is not known in a preview, got %q", h)
			return h
		})
		return nil
	})
	require.NoError(t, err)
	require.NotNil(t, rec.Find("docker:index/container:Container", "squid"))
}
