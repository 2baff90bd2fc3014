package conformance

import (
	"fmt"

	"github.com/egress-mesh/egress-mesh/internal/editdistance"
)

// suggest names the closest sibling key, the usual cause of an unknown path being a typo.
func suggest(k string, siblings map[string]any) string {
	best, bestD := "", 3 // only near misses: at most two edits
	for s := range siblings {
		if d := editDistance(k, s); d < bestD || (d == bestD && s < best) {
			best, bestD = s, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

func suggestKeys[V any](k string, siblings map[string]V) string {
	m := make(map[string]any, len(siblings))
	for s := range siblings {
		m[s] = nil
	}
	return suggest(k, m)
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int { return editdistance.Levenshtein(a, b) }
