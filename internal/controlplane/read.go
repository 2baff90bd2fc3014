package controlplane

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Get reads one object as the server holds it. Discovery is refreshed when the kind is not known yet (a CRD
// installed since, e.g. by a Helm release).
func (c *ControlPlane) Get(ctx context.Context, apiVersion, kind, namespace, name string) (*unstructured.Unstructured, error) {
	gv, err := schema.ParseGroupVersion(apiVersion)
	if err != nil {
		return nil, err
	}
	mapping, err := c.mapper.RESTMapping(schema.GroupKind{Group: gv.Group, Kind: kind}, gv.Version)
	if err != nil {
		c.mapper.Reset()
		if mapping, err = c.mapper.RESTMapping(schema.GroupKind{Group: gv.Group, Kind: kind}, gv.Version); err != nil {
			return nil, fmt.Errorf("kind %s/%s is not served: %w", apiVersion, kind, err)
		}
	}
	res := c.dynamic.Resource(mapping.Resource)
	if mapping.Scope.Name() == meta.RESTScopeNameRoot {
		return res.Get(ctx, name, metav1.GetOptions{})
	}
	if namespace == "" {
		namespace = metav1.NamespaceDefault
	}
	return res.Namespace(namespace).Get(ctx, name, metav1.GetOptions{})
}

// Inventory is every object the server holds, keyed "group/Kind namespace/name", with its UID.
type Inventory map[string]string

// Terminating lists, as "group/Kind namespace/name [finalizers]", every object marked for deletion that is
// still there: what a deletion waits for.
func (c *ControlPlane) Terminating(ctx context.Context) ([]string, error) {
	var out []string
	err := c.eachObject(ctx, func(group, kind string, it *unstructured.Unstructured) {
		if it.GetDeletionTimestamp() != nil {
			out = append(out, fmt.Sprintf("%s %v", inventoryKey(group, kind, it.GetNamespace(), it.GetName()), it.GetFinalizers()))
		}
	})
	sort.Strings(out)
	return out, err
}

// Snapshot lists every listable resource of every served group (the preferred version of each).
func (c *ControlPlane) Snapshot(ctx context.Context) (Inventory, error) {
	inv := Inventory{}
	err := c.eachObject(ctx, func(group, kind string, it *unstructured.Unstructured) {
		inv[inventoryKey(group, kind, it.GetNamespace(), it.GetName())] = string(it.GetUID())
	})
	return inv, err
}

// eachObject calls fn for every object of every listable resource (the preferred version of each group).
func (c *ControlPlane) eachObject(ctx context.Context, fn func(group, kind string, it *unstructured.Unstructured)) error {
	c.mapper.Reset()
	lists, err := c.discovery.ServerPreferredResources()
	if err != nil {
		return fmt.Errorf("discovery: %w", err)
	}
	for _, list := range lists {
		gv, err := schema.ParseGroupVersion(list.GroupVersion)
		if err != nil {
			return err
		}
		for _, r := range list.APIResources {
			if strings.Contains(r.Name, "/") || !contains(r.Verbs, "list") {
				continue // subresources, and kinds that cannot be listed (reviews, tokens)
			}
			items, err := c.dynamic.Resource(gv.WithResource(r.Name)).List(ctx, metav1.ListOptions{})
			if err != nil {
				return fmt.Errorf("listing %s %s: %w", list.GroupVersion, r.Name, err)
			}
			for i := range items.Items {
				fn(gv.Group, r.Kind, &items.Items[i])
			}
		}
	}
	return nil
}

func inventoryKey(group, kind, namespace, name string) string {
	return group + "/" + kind + " " + namespace + "/" + name
}

// Added lists, sorted, what is in inv but not in before.
func (inv Inventory) Added(before Inventory) []string {
	var out []string
	for k := range inv {
		if _, ok := before[k]; !ok {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
