package render

import (
	"container/heap"

	"github.com/egress-mesh/egress-mesh/internal/recorder"
)

// dependencyOrder sorts objects topologically by the program's dependency edges (recorder.WaitsFor's relation:
// an object waits for every object reachable over dependency edges), namespaces first, then CRDs, otherwise
// in registration order. The graph is read once: each object's nearest object dependencies (reached without
// passing through another object) are enough for a topological order, since those wait for the rest. The
// cost is linear in resources plus edges, times the log of the queue, instead of a WaitsFor per pair.
func dependencyOrder(rec *recorder.Recorder, objs []Object) []Object {
	index := make(map[string]int, len(objs)) // URN -> object index
	for i, o := range objs {
		index[o.Resource.URN] = i
	}
	nearest := nearestObjects(rec, index)

	waiting := make([]int, len(objs))      // unfinished nearest dependencies
	dependents := make([][]int, len(objs)) // who waits for each object
	for i, o := range objs {
		for j := range nearest(o.Resource, true) {
			if j != i {
				waiting[i]++
				dependents[j] = append(dependents[j], i)
			}
		}
	}
	q := &objectQueue{objs: objs}
	for i := range objs {
		if waiting[i] == 0 {
			heap.Push(q, i)
		}
	}
	done := make([]bool, len(objs))
	out := make([]Object, 0, len(objs))
	for q.Len() > 0 {
		i := heap.Pop(q).(int)
		done[i] = true
		out = append(out, objs[i])
		for _, d := range dependents[i] {
			if waiting[d]--; waiting[d] == 0 {
				heap.Push(q, d)
			}
		}
	}
	// A cycle cannot happen in a graph Pulumi accepted; keep the rest in registration order.
	for i := range objs {
		if !done[i] {
			out = append(out, objs[i])
		}
	}
	return out
}

// nearestObjects returns a function giving, for a resource, the objects it reaches over dependency edges
// without passing through another object. Results for non-objects are memoised, so each resource is expanded
// once.
func nearestObjects(rec *recorder.Recorder, index map[string]int) func(*recorder.Resource, bool) map[int]bool {
	memo := map[string]map[int]bool{}
	var nearest func(res *recorder.Resource, start bool) map[int]bool
	nearest = func(res *recorder.Resource, start bool) map[int]bool {
		if got, ok := memo[res.URN]; ok && !start {
			return got
		}
		out := map[int]bool{}
		memo[res.URN] = out // a cycle, impossible in Pulumi, ends here instead of looping
		for _, dep := range rec.DirectDependencies(res) {
			if j, isObject := index[dep.URN]; isObject {
				out[j] = true
				continue
			}
			for j := range nearest(dep, false) {
				out[j] = true
			}
		}
		return out
	}
	return nearest
}

// objectQueue pops the ready object of lowest rank (Namespace, then CRD, then the rest), by URN among equals:
// registration order is not stable (the SDK registers resources concurrently), and two renders of one config
// must list the objects in the same order.
type objectQueue struct {
	objs  []Object
	items []int
}

func rank(o Object) int {
	switch o.Kind() {
	case "Namespace":
		return 0
	case "CustomResourceDefinition":
		return 1
	}
	return 2
}

func (q *objectQueue) Len() int { return len(q.items) }
func (q *objectQueue) Less(a, b int) bool {
	ra, rb := rank(q.objs[q.items[a]]), rank(q.objs[q.items[b]])
	if ra != rb {
		return ra < rb
	}
	return q.objs[q.items[a]].Resource.URN < q.objs[q.items[b]].Resource.URN
}
func (q *objectQueue) Swap(a, b int) { q.items[a], q.items[b] = q.items[b], q.items[a] }
func (q *objectQueue) Push(x any)    { q.items = append(q.items, x.(int)) }
func (q *objectQueue) Pop() any {
	last := q.items[len(q.items)-1]
	q.items = q.items[:len(q.items)-1]
	return last
}
