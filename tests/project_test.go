// Package tests holds the whole-stack tests: the real program run for each Pulumi.<stack>.yaml against the
// recording engine (internal/render), and the project files checked with the Pulumi CLI's own loaders.
package tests

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/pulumi/esc"
	"github.com/pulumi/pulumi/sdk/v3/go/common/diag"
	"github.com/pulumi/pulumi/sdk/v3/go/common/diag/colors"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/config"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"

	"github.com/egress-mesh/egress-mesh/internal/render"
	"github.com/egress-mesh/egress-mesh/stacks"
	"github.com/egress-mesh/egress-mesh/versions"
)

const root = ".."

// stackNames are the stacks in the repository; every test that takes a stack runs for each of them.
func stackNames(t *testing.T) []string {
	names, err := render.StackNames(root)
	require.NoError(t, err)
	require.ElementsMatch(t, []string{"dev", "squid"}, names, "a new Pulumi.<stack>.yaml must be added to the tests' expectations")
	return names
}

// The project and stack files pass the Pulumi CLI's own schema and config-type validation.
func TestProjectAndStackFilesLoadWithPulumisOwnValidation(t *testing.T) {
	project, err := workspace.LoadProject(filepath.Join(root, "Pulumi.yaml"))
	require.NoError(t, err)
	assert.Equal(t, "egress-mesh", string(project.Name))
	assert.Equal(t, "go", project.Runtime.Name())
	require.NotNil(t, project.Backend, "a local backend by default: no Pulumi Cloud account needed")
	assert.Contains(t, project.Backend.URL, "file://")

	sink := diag.DefaultSink(os.Stdout, os.Stderr, diag.FormatOptions{Color: colors.Never})
	for _, name := range stackNames(t) {
		t.Run(name, func(t *testing.T) {
			stack, err := workspace.LoadProjectStack(sink, project, filepath.Join(root, "Pulumi."+name+".yaml"))
			require.NoError(t, err)
			err = workspace.ValidateStackConfigAndApplyProjectConfig(context.Background(), name, project,
				esc.Value{}, stack.Config, config.NopEncrypter, config.NopDecrypter)
			require.NoError(t, err, "stack config must match the types declared in Pulumi.yaml")
		})
	}
}

// Pulumi.yaml's config block documents exactly the keys the program reads, with the same types, defaults and
// secrecy (stacks.Keys is the source).
func TestPulumiYAMLConfigBlockMatchesTheKeyTable(t *testing.T) {
	project, err := workspace.LoadProject(filepath.Join(root, "Pulumi.yaml"))
	require.NoError(t, err)
	declared := map[string]bool{}
	for name := range project.Config {
		declared[name] = true
	}
	for _, k := range stacks.Keys {
		decl, ok := project.Config[k.Name]
		if !assert.True(t, ok, "key %s is not documented in Pulumi.yaml", k.Name) {
			continue
		}
		delete(declared, k.Name)
		require.NotNil(t, decl.Type, k.Name)
		assert.NotNil(t, decl.Default, "key %s needs a default (\"\" if optional): the Pulumi CLI requires a typed key without one", k.Name)
		assert.Equal(t, k.Type, *decl.Type, "type of %s", k.Name)
		// A `secret: true` key can be neither required nor defaulted (Pulumi checks an applied default as a
		// plain stack value), so secret keys are declared optional and the program refuses plain text.
		assert.False(t, decl.Secret, "key %s: use stacks.Key.Secret, not Pulumi.yaml's secret flag", k.Name)
		if k.Secrecy == stacks.SecretRequired {
			assert.Contains(t, decl.Description, "--secret", "key %s must say it is set with --secret", k.Name)
		}
		assert.Equal(t, k.Doc, decl.Description, "description of %s", k.Name)
		assert.Equal(t, k.Default, defaultString(decl.Default), "default of %s", k.Name)
	}
	assert.Empty(t, declared, "Pulumi.yaml declares keys the program never reads")
}

func defaultString(v any) string {
	switch d := v.(type) {
	case nil:
		return ""
	case string:
		return d
	case bool:
		return strconv.FormatBool(d)
	case int:
		return strconv.Itoa(d)
	default:
		b, err := json.Marshal(d)
		if err != nil {
			return fmt.Sprint(d)
		}
		return string(b)
	}
}

// The pull-request preview workflow creates its kind cluster with the kind release and node image the program
// pins (versions.KindCLI, versions.KindNodeImage), so the diff reviewers read comes from the cluster users get.
func TestPreviewWorkflowUsesThePinnedKindRelease(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(root, ".github", "workflows", "preview.yml"))
	require.NoError(t, err)
	var workflow struct {
		Jobs map[string]struct {
			Steps []struct {
				Uses string         `json:"uses"`
				With map[string]any `json:"with"`
			} `json:"steps"`
		} `json:"jobs"`
	}
	require.NoError(t, yaml.Unmarshal(raw, &workflow))
	var kindSteps []map[string]any
	for _, job := range workflow.Jobs {
		for _, step := range job.Steps {
			if strings.HasPrefix(step.Uses, "helm/kind-action@") {
				kindSteps = append(kindSteps, step.With)
			}
		}
	}
	require.Len(t, kindSteps, 1, "the workflow creates one kind cluster")
	assert.Equal(t, versions.KindCLI, kindSteps[0]["version"])
	assert.Equal(t, versions.KindNodeImage, kindSteps[0]["node_image"])
}
