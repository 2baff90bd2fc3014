package pulumiengine

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
)

// missingFrom lists where got (an object as the server holds it) differs from want (the object render says the
// program sends): every field of want must be in got with the same value; fields only in got are what the server
// or a controller filled in (defaults, status, managedFields, the provider's managed-by label) and are ignored.
// Lists must match element by element. A Secret's stringData is compared with the server's data, which is where
// the server moves it.
func missingFrom(want, got map[string]any) []string {
	want, got = normalised(want), normalised(got)
	if sd, ok := want["stringData"].(map[string]any); ok {
		delete(want, "stringData")
		data, _ := want["data"].(map[string]any)
		if data == nil {
			data = map[string]any{}
		}
		for k, v := range sd {
			data[k] = base64.StdEncoding.EncodeToString([]byte(fmt.Sprint(v)))
		}
		want["data"] = data
	}
	var out []string
	diff(want, got, "", &out)
	sort.Strings(out)
	return out
}

func diff(want, got any, path string, out *[]string) {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			*out = append(*out, fmt.Sprintf("%s: want an object, server has %v", path, short(got)))
			return
		}
		for k, wv := range w {
			gv, ok := g[k]
			if !ok {
				*out = append(*out, fmt.Sprintf("%s.%s: missing on the server (want %v)", path, k, short(wv)))
				continue
			}
			diff(wv, gv, path+"."+k, out)
		}
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			*out = append(*out, fmt.Sprintf("%s: want %v, server has %v", path, short(want), short(got)))
			return
		}
		for i := range w {
			diff(w[i], g[i], fmt.Sprintf("%s[%d]", path, i), out)
		}
	default:
		if !reflect.DeepEqual(want, got) {
			*out = append(*out, fmt.Sprintf("%s: want %v, server has %v", path, short(want), short(got)))
		}
	}
}

// normalised is a deep copy through JSON, so numbers compare as float64 whichever side they came from.
func normalised(m map[string]any) map[string]any {
	b, err := json.Marshal(m)
	if err != nil {
		panic(err)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		panic(err)
	}
	return out
}

func short(v any) string {
	b, _ := json.Marshal(v)
	if len(b) > 120 {
		return string(b[:120]) + "..."
	}
	return string(b)
}

func TestMissingFromIgnoresOnlyWhatTheServerAdds(t *testing.T) {
	want := map[string]any{
		"kind": "Secret", "metadata": map[string]any{"name": "s"}, "stringData": map[string]any{"k": "v"},
		"spec": map[string]any{"ports": []any{map[string]any{"port": 80}}},
	}
	server := map[string]any{
		"kind": "Secret", "metadata": map[string]any{"name": "s", "uid": "u", "labels": map[string]any{"app.kubernetes.io/managed-by": "pulumi"}},
		"data": map[string]any{"k": "dg=="}, // base64("v"): where the server keeps stringData
		"spec": map[string]any{"ports": []any{map[string]any{"port": float64(80), "protocol": "TCP"}}},
	}
	assert.Empty(t, missingFrom(want, server), "defaults, status and moved stringData are not differences")

	// Controls: each kind of difference is reported, with its path.
	changed := normalised(server)
	changed["spec"].(map[string]any)["ports"].([]any)[0].(map[string]any)["port"] = 81
	assert.Equal(t, []string{".spec.ports[0].port: want 80, server has 81"}, missingFrom(want, changed))
	extra := normalised(server)
	extra["spec"].(map[string]any)["ports"] = append(extra["spec"].(map[string]any)["ports"].([]any), map[string]any{"port": 90})
	assert.Len(t, missingFrom(want, extra), 1, "a list that grew on the server differs")
	noData := normalised(server)
	delete(noData, "data")
	assert.Equal(t, []string{`.data: missing on the server (want {"k":"dg=="})`}, missingFrom(want, noData))
}
