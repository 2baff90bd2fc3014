package conformance

import "fmt"

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
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
