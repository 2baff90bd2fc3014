package tests

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/egress-mesh/egress-mesh/internal/render"
)

// Reviewers diff two renders of a change, so a render must not depend on the order in which the SDK (which
// registers resources from concurrent goroutines) happened to register them: five renders of each stack give the
// same objects, Helm values and graph, byte for byte.
func TestRenderIsDeterministic(t *testing.T) {
	for _, stack := range stackNames(t) {
		t.Run(stack, func(t *testing.T) {
			var first [3]string
			for i := 0; i < 5; i++ {
				r, err := render.RunStack(root, stack, false)
				require.NoError(t, err)
				objects, err := r.ObjectsYAML()
				require.NoError(t, err)
				helm, err := r.HelmYAML()
				require.NoError(t, err)
				got := [3]string{string(objects), string(helm), r.Graph()}
				if i == 0 {
					first = got
					continue
				}
				assert.Equal(t, first, got, "render %d of %s differs from the first", i+1, stack)
			}
		})
	}
}
