package render

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/egress-mesh/egress-mesh/stacks"
)

// squidWith is the squid path with n destinations.
func squidWith(n int) stacks.Raw {
	dests := make([]string, n)
	for i := range dests {
		dests[i] = fmt.Sprintf("d%d.example.com:80", i)
	}
	list, _ := json.Marshal(dests)
	return stacks.Raw{Values: map[string]string{"path": "squid", "destinations": string(list)}, Secrets: map[string]bool{}}
}

// The linear order keeps recorder.WaitsFor's relation, checked pair by pair with the engine's own walk: no
// object comes before one it waits for, and namespaces and CRDs come first among what is ready.
func TestObjectOrderRespectsEveryDependency(t *testing.T) {
	for name, raw := range map[string]stacks.Raw{
		"ollama": {Values: map[string]string{}, Secrets: map[string]bool{}},
		"squid":  squidWith(3),
	} {
		t.Run(name, func(t *testing.T) {
			res, err := Run(name, raw, false)
			require.NoError(t, err)
			objs := res.Objects()
			require.Greater(t, len(objs), 20)
			assert.Empty(t, orderViolations(res, objs))

			// Negative control: the reverse order breaks some dependency, and the check says so.
			reversed := make([]Object, len(objs))
			for i, o := range objs {
				reversed[len(objs)-1-i] = o
			}
			assert.NotEmpty(t, orderViolations(res, reversed))
		})
	}
}

// orderViolations lists each object placed before one it waits for.
func orderViolations(res *Result, objs []Object) []string {
	var out []string
	for i := range objs {
		for j := i + 1; j < len(objs); j++ {
			if res.Rec.WaitsFor(objs[i].Resource, objs[j].Resource) {
				out = append(out, objs[i].String()+" before "+objs[j].String())
			}
		}
	}
	return out
}

// 200 destinations render in well under 2 s (the pairwise order took minutes): a guard with slack for a
// loaded CI machine; the benchmark below gives the figure.
func TestRenderScalesToManyDestinations(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skipping the 200-destination render (run without -short, or the benchmark)")
	}
	start := time.Now()
	renderAll(t, squidWith(200))
	assert.Less(t, time.Since(start), 10*time.Second, "200 destinations must render in seconds, not minutes")
}

func renderAll(tb testing.TB, raw stacks.Raw) {
	res, err := Run("bench", raw, true)
	require.NoError(tb, err)
	_, err = res.ObjectsYAML()
	require.NoError(tb, err)
	_, err = res.HelmYAML()
	require.NoError(tb, err)
	_ = res.Graph()
	_ = res.Summary()
}

// BenchmarkRender200Destinations is everything cmd/render does for 200 destinations, reported per destination:
// `go test -run '^$' -bench Render ./internal/render`.
func BenchmarkRender200Destinations(b *testing.B) {
	const n = 200
	raw := squidWith(n)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		renderAll(b, raw)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n/1e6, "ms/destination")
}
