package engines

import (
	"sync"
	"testing"

	"github.com/egress-mesh/egress-mesh/internal/render"
	"github.com/egress-mesh/egress-mesh/stacks"
)

// root is the repository, where the Pulumi stack files are.
const root = "../.."

var renders sync.Map // key -> *render.Result

// renderStack runs the real program (internal/render, what cmd/render writes) for Pulumi.<stack>.yaml with
// some keys changed (keys ending in "!" are secrets), once per distinct input.
func renderStack(t *testing.T, stack string, kv ...string) (*render.Result, *stacks.Config) {
	t.Helper()
	raw, err := render.LoadStack(root, stack)
	if err != nil {
		t.Fatal(err)
	}
	key := stack
	for i := 0; i+1 < len(kv); i += 2 {
		name, secret := kv[i], false
		if n := len(name); n > 0 && name[n-1] == '!' {
			name, secret = name[:n-1], true
		}
		raw.Values[name], raw.Secrets[name] = kv[i+1], secret
		key += "|" + kv[i] + "=" + kv[i+1]
	}
	cfg, err := stacks.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if r, ok := renders.Load(key); ok {
		return r.(*render.Result), cfg
	}
	r, err := render.Run(stack, raw, false)
	if err != nil {
		t.Fatal(err)
	}
	renders.Store(key, r)
	return r, cfg
}

// object finds one rendered Kubernetes object by kind and name, with secrets in the clear (the engines need
// the real htpasswd line, which render itself prints as a placeholder).
func object(t *testing.T, r *render.Result, kind, name string) map[string]any {
	t.Helper()
	var have []string
	for _, o := range r.Objects() {
		if o.Kind() == kind && o.Name() == name {
			return plainManifest(o)
		}
		have = append(have, o.String())
	}
	t.Fatalf("the program renders no %s named %s; it renders %v", kind, name, have)
	return nil
}

// objects returns every rendered object of kind, secrets in the clear.
func objects(r *render.Result, kind string) []map[string]any {
	var out []map[string]any
	for _, o := range r.Objects() {
		if o.Kind() == kind {
			out = append(out, plainManifest(o))
		}
	}
	return out
}

func plainManifest(o render.Object) map[string]any {
	m := o.Resource.Plain()
	m["apiVersion"], m["kind"] = o.APIVersion(), o.Kind()
	return m
}
