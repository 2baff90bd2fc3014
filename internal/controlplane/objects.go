package controlplane

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"golang.org/x/mod/modfile"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
)

// EnvShared overrides where the shared material (CRDs, notes) lives.
const EnvShared = "EGRESS_MESH_SHARED"

// SharedDir finds the project's shared material: $EGRESS_MESH_SHARED, else "shared" beside the repository root,
// which is where every developer and CI run has it.
func SharedDir() (string, error) {
	if d := os.Getenv(EnvShared); d != "" {
		return d, nil
	}
	root, err := RepoRoot()
	if err != nil {
		return "", fmt.Errorf("%w; set %s", err, EnvShared)
	}
	shared := filepath.Join(filepath.Dir(root), "shared")
	if !exists(shared) {
		return "", fmt.Errorf("%s not found beside the repository root; set %s", shared, EnvShared)
	}
	return shared, nil
}

// RepoRoot is the nearest directory above the working directory whose go.mod declares the root module (tools/
// modules have their own go.mod).
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if isRootModule(filepath.Join(dir, "go.mod")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no egress-mesh go.mod above the working directory")
		}
		dir = parent
	}
}

// LoadYAML decodes every document of every file (multi-document YAML, empty documents skipped) in order.
func LoadYAML(paths ...string) ([]*unstructured.Unstructured, error) {
	var objs []*unstructured.Unstructured
	for _, path := range paths {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(b), 4096)
		for {
			var obj map[string]any
			if err := dec.Decode(&obj); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				return nil, fmt.Errorf("%s: %w", path, err)
			}
			if len(obj) > 0 {
				objs = append(objs, &unstructured.Unstructured{Object: obj})
			}
		}
	}
	return objs, nil
}

const rootModule = "github.com/egress-mesh/egress-mesh"

func isRootModule(goMod string) bool {
	b, err := os.ReadFile(goMod)
	return err == nil && modfile.ModulePath(b) == rootModule
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
