package testkit

import (
	"os"
	"path/filepath"
	"testing"

	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/egress-mesh/egress-mesh/internal/controlplane"
	"github.com/egress-mesh/egress-mesh/internal/kube"
)

// TestRunGivesATarget: the provider and the kind stand-in the component tests assert on.
func TestRunGivesATarget(t *testing.T) {
	rec := Run(t, false, func(ctx *pulumi.Context, target kube.Target) error {
		_, err := kube.Namespace(ctx, target, nil, "ns1", nil)
		return err
	})
	ns := One(t, rec, "kubernetes:core/v1:Namespace")
	assert.Equal(t, rec.Find("command:local:Command", Cluster).URN, ns.DeletedWith)
	assert.Contains(t, ns.Provider, rec.Find("pulumi:providers:kubernetes", Provider).URN)
}

// TestAssertNoPlainTextCanFail: a password outside a secret is reported, inside one it is not.
func TestAssertNoPlainTextCanFail(t *testing.T) {
	rec := Run(t, false, func(ctx *pulumi.Context, target kube.Target) error {
		_, err := corev1.NewSecret(ctx, "s", &corev1.SecretArgs{
			Metadata:   kube.Meta{Name: "s", Annotations: map[string]string{"leak": "xx-pw-xx"}}.Args(),
			StringData: pulumi.StringMap{"hidden": pulumi.ToSecret(pulumi.String("pw2")).(pulumi.StringOutput)},
		}, pulumi.Provider(target.Provider))
		return err
	})
	AssertNoPlainText(t, rec, "pw2")
	inner := &failureT{TB: t}
	AssertNoPlainText(inner, rec, "pw")
	assert.True(t, inner.failed, "the plain password must be reported")
}

// TestNotesObject reads the verified notes.
// The copies in testdata are the notes' blocks, byte for byte, wherever the notes are at hand (../shared).
func TestNotesCopiesMatchTheNotes(t *testing.T) {
	dir, err := controlplane.SharedDir()
	var notes []byte
	if err == nil {
		notes, err = os.ReadFile(filepath.Join(dir, "notes", "resources.md"))
	}
	if err != nil {
		t.Skipf("the notes are not at hand (%v): the copies in testdata cannot be compared here", err)
	}
	for section, file := range notesCopies {
		block, ok := NotesBlock(string(notes), section)
		require.True(t, ok, "no yaml block in the notes' section %q", section)
		copied, err := os.ReadFile(filepath.Join("testdata", file))
		require.NoError(t, err)
		assert.Equal(t, block, string(copied), "testdata/%s is out of date: copy the notes' %q block again", file, section)
	}
	_, ok := NotesBlock(string(notes)+"\n## Made up\nno block", "Made up")
	assert.False(t, ok, "control: a section without a yaml block is reported")
}

func TestNotesObject(t *testing.T) {
	gw := NotesObject(t, "Ollama path", "Gateway")
	require.Equal(t, "Gateway", gw["kind"])
	assert.NotEmpty(t, Dig(t, gw, "spec", "listeners", 0, "name"))
}

// failureT records failures instead of failing the test: for checks that must fail.
type failureT struct {
	testing.TB
	failed bool
}

func (f *failureT) Errorf(string, ...any) { f.failed = true }
