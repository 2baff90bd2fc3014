package controlplane

import (
	"testing"

	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

func skipShort(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: the kube-apiserver check was skipped (it starts etcd and kube-apiserver; " +
			"run without -short after hack/controlplane-binaries.sh)")
	}
}

// obj parses one YAML manifest, so test fixtures read like what a cluster would receive.
func obj(t *testing.T, manifest string) *unstructured.Unstructured {
	t.Helper()
	u := &unstructured.Unstructured{}
	require.NoError(t, yaml.Unmarshal([]byte(manifest), &u.Object))
	return u
}
