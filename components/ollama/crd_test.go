package ollama

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/egress-mesh/egress-mesh/internal/testkit"
)

func TestOllamaServiceEntryMatchesCRD(t *testing.T) {
	r := runOllama(t, false, "")
	se := r.rec.Find(seType, seName).Plain()
	testkit.AssertValidAgainstCRDs(t, se)
	// The CRD's CEL rules that touch what the entry sets (evaluated above as well).
	s := se["spec"].(map[string]any)
	assert.NotEqual(t, "NONE", s["resolution"], "resolution NONE forbids endpoints")
	_, hasSelector := s["workloadSelector"]
	assert.False(t, hasSelector, "endpoints and workloadSelector are exclusive")
}

// TestServiceEntryCheckCatchesMistakes proves the check above can fail on this package's ServiceEntry: a
// misspelt field, a port out of range and a CEL rule (resolution NONE with endpoints).
func TestServiceEntryCheckCatchesMistakes(t *testing.T) {
	r := runOllama(t, false, "")
	se := r.rec.Find(seType, seName).Plain()
	spec := se["spec"].(map[string]any)
	spec["locaton"] = spec["location"]
	testkit.Dig(t, spec, "ports", 0).(map[string]any)["number"] = 70000
	testkit.RequireRejected(t, testkit.CRDErrors(t, se), "spec.locaton would be pruned", "spec.ports[0].number")

	se = r.rec.Find(seType, seName).Plain()
	se["spec"].(map[string]any)["resolution"] = "NONE"
	testkit.RequireRejected(t, testkit.CRDErrors(t, se), "NONE mode cannot set endpoints")
}
