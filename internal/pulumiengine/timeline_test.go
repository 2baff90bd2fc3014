package pulumiengine

import (
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/stretchr/testify/assert"
)

func urn(name string) string { return "urn:pulumi:test::p::kubernetes:core/v1:ConfigMap::" + name }

// TestAnalyseFollowsDependencies: a (2s) and b (3s) run in parallel, c (1s) waits for both. The critical path is
// b -> c (4s) and the sum 6s; a wrong graph (c independent) would give 3s.
func TestAnalyseFollowsDependencies(t *testing.T) {
	t0 := time.Unix(1000, 0)
	steps := []Step{
		{URN: urn("a"), Start: t0, End: t0.Add(2 * time.Second)},
		{URN: urn("b"), Start: t0, End: t0.Add(3 * time.Second)},
		{URN: urn("c"), Start: t0.Add(3 * time.Second), End: t0.Add(4 * time.Second)},
	}
	tl := Analyse(steps, map[string][]string{urn("c"): {urn("a"), urn("b")}})
	assert.Equal(t, 4*time.Second, tl.CriticalPath)
	assert.Equal(t, 6*time.Second, tl.Sum)
	assert.Equal(t, 4*time.Second, tl.Wall)
	assert.Equal(t, []string{"b", "c"}, shortNames(tl.Chain))

	independent := Analyse(steps, nil)
	assert.Equal(t, 3*time.Second, independent.CriticalPath)
}

// TestDeletionWaitsForDependents: c depends on a and b, so destroy deletes c (1s) first, then a (2s) and b (3s)
// in parallel: critical path c -> b, 4s. Analysed with the creation order instead, c would come last and the
// chain would be b -> c, which the control shows.
func TestDeletionWaitsForDependents(t *testing.T) {
	t0 := time.Unix(1000, 0)
	steps := []Step{
		{URN: urn("c"), Op: apitype.OpDelete, Start: t0, End: t0.Add(time.Second)},
		{URN: urn("a"), Op: apitype.OpDelete, Start: t0.Add(time.Second), End: t0.Add(3 * time.Second)},
		{URN: urn("b"), Op: apitype.OpDelete, Start: t0.Add(time.Second), End: t0.Add(4 * time.Second)},
	}
	created := map[string][]string{urn("c"): {urn("a"), urn("b")}}
	tl := Analyse(steps, DeletionOrder(created))
	assert.Equal(t, 4*time.Second, tl.CriticalPath)
	assert.Equal(t, []string{"c", "b"}, shortNames(tl.Chain))

	assert.Equal(t, []string{"b", "c"}, shortNames(Analyse(steps, created).Chain), "control: creation order")
}

func TestDependenciesIncludeTheProvider(t *testing.T) {
	provider := "urn:pulumi:test::p::pulumi:providers:kubernetes::sim"
	ex := Export{Resources: []apitype.ResourceV3{{
		URN:          resource.URN(urn("c")),
		Dependencies: []resource.URN{resource.URN(urn("a"))},
		Provider:     provider + "::04da6b54-80e4-46f7-96ec-b56ff0331ba9",
	}}}
	assert.Equal(t, []string{urn("a"), provider}, Dependencies(ex)[urn("c")])
}

func TestStepsPairCustomResourceEvents(t *testing.T) {
	t0 := time.Unix(1000, 0)
	meta := func(u string, custom bool) apitype.StepEventMetadata {
		return apitype.StepEventMetadata{URN: u, Op: apitype.OpCreate, New: &apitype.StepEventStateMetadata{Custom: custom}}
	}
	ev := func(at time.Duration, e apitype.EngineEvent) Event { return Event{At: t0.Add(at), EngineEvent: e} }
	evs := []Event{
		ev(0, apitype.EngineEvent{ResourcePreEvent: &apitype.ResourcePreEvent{Metadata: meta("component", false)}}),
		ev(0, apitype.EngineEvent{ResourcePreEvent: &apitype.ResourcePreEvent{Metadata: meta(urn("a"), true)}}),
		ev(time.Second, apitype.EngineEvent{ResOutputsEvent: &apitype.ResOutputsEvent{Metadata: meta(urn("a"), true)}}),
		ev(2*time.Second, apitype.EngineEvent{ResOutputsEvent: &apitype.ResOutputsEvent{Metadata: meta("component", false)}}),
		ev(0, apitype.EngineEvent{ResourcePreEvent: &apitype.ResourcePreEvent{Metadata: meta(urn("failed"), true)}}),
	}
	steps := Steps(evs)
	assert.Equal(t, []Step{{URN: urn("a"), Op: apitype.OpCreate, Start: t0, End: t0.Add(time.Second)}}, steps)
}
