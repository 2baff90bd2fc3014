package pulumiengine

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
)

// Step is one resource operation of an update: from the engine's ResourcePre event to its ResOutputs event.
type Step struct {
	URN        string
	Op         apitype.OpType
	Start, End time.Time
}

func (s Step) Duration() time.Duration { return s.End.Sub(s.Start) }

// Steps pairs the pre and outputs events of each custom resource (the ones a provider acts on; a component's
// events bracket its children's registration, not work of its own); a resource that failed has no end and is
// left out.
func Steps(evs []Event) []Step {
	starts := map[string]Event{}
	var steps []Step
	for _, ev := range evs {
		switch {
		case ev.ResourcePreEvent != nil && !ev.ResourcePreEvent.Planning:
			starts[ev.ResourcePreEvent.Metadata.URN] = ev
		case ev.ResOutputsEvent != nil && !ev.ResOutputsEvent.Planning:
			m := ev.ResOutputsEvent.Metadata
			if pre, ok := starts[m.URN]; ok && custom(m) {
				steps = append(steps, Step{URN: m.URN, Op: m.Op, Start: pre.At, End: ev.At})
			}
		}
	}
	return steps
}

func custom(m apitype.StepEventMetadata) bool {
	return (m.New != nil && m.New.Custom) || (m.New == nil && m.Old != nil && m.Old.Custom)
}

// Timeline summarises how much of an update ran in parallel.
type Timeline struct {
	Wall         time.Duration // first step's start to last step's end
	Sum          time.Duration // sum of every step's duration
	CriticalPath time.Duration // longest chain of step durations along the recorded dependencies
	Chain        []string      // that chain, first resource first
}

// Analyse computes the timeline of steps, following dependencies (URN -> the URNs it depends on, e.g. from the
// stack export's dependencies and parents). Sum/CriticalPath is the parallelism the dependency graph allows;
// CriticalPath/Wall shows how close the engine came to it.
func Analyse(steps []Step, dependencies map[string][]string) Timeline {
	var tl Timeline
	if len(steps) == 0 {
		return tl
	}
	byURN := map[string]Step{}
	first, last := steps[0].Start, steps[0].End
	for _, s := range steps {
		byURN[s.URN] = s
		tl.Sum += s.Duration()
		if s.Start.Before(first) {
			first = s.Start
		}
		if s.End.After(last) {
			last = s.End
		}
	}
	tl.Wall = last.Sub(first)

	// Longest path by memoised depth-first search; dependencies outside this update (unchanged resources) count 0.
	memo := map[string]time.Duration{}
	next := map[string]string{}
	visiting := map[string]bool{}
	var longest func(urn string) time.Duration
	longest = func(urn string) time.Duration {
		if d, ok := memo[urn]; ok {
			return d
		}
		if visiting[urn] { // a cycle cannot happen in a valid checkpoint; do not loop if it does
			return 0
		}
		visiting[urn] = true
		var best time.Duration
		for _, dep := range dependencies[urn] {
			if d := longest(dep); d > best || (d == best && next[urn] == "") {
				if _, ok := byURN[dep]; ok {
					best, next[urn] = d, dep
				}
			}
		}
		memo[urn] = best + byURN[urn].Duration()
		return memo[urn]
	}
	var end string
	for urn := range byURN {
		if d := longest(urn); d > tl.CriticalPath || (d == tl.CriticalPath && urn < end) {
			tl.CriticalPath, end = d, urn
		}
	}
	for urn := end; urn != ""; urn = next[urn] {
		tl.Chain = append([]string{urn}, tl.Chain...)
	}
	return tl
}

// Dependencies reads what each resource waited for from an export: its dependencies (a dependency on a component
// is recorded by the engine as dependencies on its children) and its provider, which must be configured before
// the provider can act on the resource. A provider reference is "URN::ID".
func Dependencies(ex Export) map[string][]string {
	deps := map[string][]string{}
	for _, r := range ex.Resources {
		u := string(r.URN)
		for _, d := range r.Dependencies {
			deps[u] = append(deps[u], string(d))
		}
		if i := strings.LastIndex(r.Provider, "::"); i > 0 {
			deps[u] = append(deps[u], r.Provider[:i])
		}
	}
	return deps
}

// DeletionOrder turns what each resource waited for on creation into what its deletion waits for: destroy
// deletes a resource only after every resource that depends on it (and a provider after all it manages).
func DeletionOrder(dependencies map[string][]string) map[string][]string {
	waits := map[string][]string{}
	for urn, deps := range dependencies {
		for _, d := range deps {
			waits[d] = append(waits[d], urn)
		}
	}
	return waits
}

// String reports the timeline and the slowest steps, for test logs.
func (tl Timeline) String() string {
	par := 0.0
	if tl.CriticalPath > 0 {
		par = float64(tl.Sum) / float64(tl.CriticalPath)
	}
	return fmt.Sprintf("wall %s, sum of resource durations %s, critical path %s (%.1fx parallelism available): %s",
		tl.Wall.Round(time.Millisecond), tl.Sum.Round(time.Millisecond), tl.CriticalPath.Round(time.Millisecond), par,
		strings.Join(shortNames(tl.Chain), " -> "))
}

// Slowest returns the n longest steps, longest first.
func Slowest(steps []Step, n int) []Step {
	s := append([]Step(nil), steps...)
	sort.Slice(s, func(i, j int) bool { return s[i].Duration() > s[j].Duration() })
	if len(s) > n {
		s = s[:n]
	}
	return s
}

func shortNames(urns []string) []string {
	out := make([]string, len(urns))
	for i, u := range urns {
		out[i] = u[strings.LastIndex(u, "::")+2:]
	}
	return out
}
