package recorder

import (
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// FakeKubeconfig is what a mocked `kind get kubeconfig` prints: shaped like the real thing, usable by nothing.
const FakeKubeconfig = `apiVersion: v1
kind: Config
clusters:
- name: kind-mock
  cluster: {server: "https://127.0.0.1:6443"}
contexts:
- name: kind-mock
  context: {cluster: kind-mock, user: kind-mock}
current-context: kind-mock
users:
- name: kind-mock
  user: {token: mock}
`

// FakeContainerIP is the address a mocked Docker container gets on each network it joins.
const FakeContainerIP = "172.18.0.100"

// fakeOutputs are the outputs a provider computes that are not inputs. In dry-run mode the recorder turns
// each of them unknown, as the engine does in a preview.
func fakeOutputs(res *Resource) map[string]resource.PropertyValue {
	switch res.Type {
	case "command:local:Command":
		create, _ := res.Input("create")
		if create.IsString() && strings.Contains(create.StringValue(), "kind get kubeconfig") {
			return map[string]resource.PropertyValue{"stdout": resource.NewProperty(FakeKubeconfig)}
		}
		return map[string]resource.PropertyValue{"stdout": resource.NewProperty(""), "stderr": resource.NewProperty("")}
	case "docker:index/container:Container":
		var nets []resource.PropertyValue
		if adv, ok := res.Input("networksAdvanced"); ok && adv.IsArray() {
			for _, n := range adv.ArrayValue() {
				if !n.IsObject() {
					continue
				}
				nets = append(nets, resource.NewObjectProperty(resource.PropertyMap{
					"networkName": n.ObjectValue()["name"],
					"ipAddress":   resource.NewProperty(FakeContainerIP),
				}))
			}
		}
		return map[string]resource.PropertyValue{"networkDatas": resource.NewProperty(nets)}
	case "docker:index/remoteImage:RemoteImage":
		name, _ := res.Input("name")
		return map[string]resource.PropertyValue{"imageId": resource.NewProperty("sha256:mock-" + name.StringValue())}
	}
	return nil
}
