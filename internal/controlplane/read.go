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

// Snapshot lists every listable resource of every served group (the preferred version of each).
func (c *ControlPlane) Snapshot(ctx context.Context) (Inventory, error) {
	c.mapper.Reset()
	lists, err := c.discovery.ServerPreferredResources()
	if err != nil {
		return nil, fmt.Errorf("discovery: %w", err)
	}
	inv := Inventory{}
	for _, list := range lists {
		gv, err := schema.ParseGroupVersion(list.GroupVersion)
		if err != nil {
			return nil, err
		}
		for _, r := range list.APIResources {
			if strings.Contains(r.Name, "/") || !contains(r.Verbs, "list") {
				continue // subresources, and kinds that cannot be listed (reviews, tokens)
			}
			items, err := c.dynamic.Resource(gv.WithResource(r.Name)).List(ctx, metav1.ListOptions{})
			if err != nil {
				return nil, fmt.Errorf("listing %s %s: %w", list.GroupVersion, r.Name, err)
			}
			for _, it := range items.Items {
				inv[inventoryKey(gv.Group, r.Kind, it.GetNamespace(), it.GetName())] = string(it.GetUID())
			}
		}
	}
	return inv, nil
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
