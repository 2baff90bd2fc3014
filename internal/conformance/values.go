package conformance

import (
	"encoding/json"
	"fmt"
	"os"
	"path"
	"sort"
	"strings"

	"sigs.k8s.io/yaml"
)

// CheckValues checks every value path against the chart's saved values.yaml, since Helm silently
// ignores keys a chart does not know (none of these charts ships a values schema). chart may be a
// bare name or an OCI/repo reference (the last path element is used); version may carry a "v" or not.
// checked counts the value paths accepted or rejected.
func CheckValues(s *Schemas, chart, version string, values map[string]any) (checked int, errs []error) {
	name, ver, valuesPath, err := resolveChart(s, chart, version)
	if err != nil {
		return 0, []error{err}
	}
	defaults, err := readValues(valuesPath)
	if err != nil {
		return 0, []error{fmt.Errorf("chart %s@%s: %w", name, ver, err)}
	}
	user, err := plainJSON(values)
	if err != nil {
		return 0, []error{fmt.Errorf("chart %s@%s: values: %w", name, ver, err)}
	}
	r := rulesFor(name)
	if r.defaultsRoot != "" {
		d, _ := defaults[r.defaultsRoot].(map[string]any)
		defaults = d
	}
	// Subchart defaults: Helm passes parent values under <subchart>: to the subchart.
	prefix := "charts/" + name + "/" + ver + "/charts/"
	for lockPath, p := range s.Files {
		if sub, ok := strings.CutPrefix(lockPath, prefix); ok && strings.HasSuffix(sub, "/values.yaml") {
			subName := strings.TrimSuffix(sub, "/values.yaml")
			sd, err := readValues(p)
			if err != nil {
				return 0, []error{fmt.Errorf("chart %s@%s subchart %s: %w", name, ver, subName, err)}
			}
			parent, _ := defaults[subName].(map[string]any)
			defaults[subName] = mergeMaps(sd, parent)
		}
	}
	c := &valuesChecker{chart: name + "@" + ver, rules: r}
	c.walk(nil, nil, user, defaults, true)
	return c.checked, c.errs
}

type valuesChecker struct {
	chart   string
	rules   chartRules
	checked int
	errs    []error
}

// walk compares user against defaults. display is the path as the caller wrote it; effective is the
// path after chart aliases (istiod pilot.X -> X), which is what the rules and defaults use.
func (c *valuesChecker) walk(display, effective []string, user, defaults map[string]any, top bool) {
	for _, k := range sortedKeys(user) {
		v := user[k]
		disp := append(append([]string{}, display...), k)
		eff := append(append([]string{}, effective...), k)
		effStr := strings.Join(eff, ".")
		if top && c.rules.forbidden[effStr] {
			c.fail(disp, "is not a values key: set the keys beneath it without this prefix")
			continue
		}
		if c.rules.undeclared[effStr] {
			c.checked++
			continue
		}
		if alias, ok := c.rules.aliases[effStr]; ok && top {
			m, isMap := v.(map[string]any)
			if !isMap {
				c.fail(disp, "must be a map (alias of the chart's top level)")
				continue
			}
			c.walk(disp, alias, m, defaults, true)
			continue
		}
		if check, ok := c.rules.freeForm[effStr]; ok {
			c.checked++
			for _, e := range check(strings.Join(disp, "."), v) {
				c.errs = append(c.errs, fmt.Errorf("chart %s: values path %s", c.chart, e))
			}
			continue
		}
		dv, known := defaults[k]
		if !known {
			c.fail(disp, "not in the chart's values.yaml%s", suggest(k, defaults))
			continue
		}
		c.checked++
		dm, defIsMap := dv.(map[string]any)
		switch {
		case dv == nil, v == nil, kubernetesTyped(k):
			// Null defaults take anything; null user values delete the key; Kubernetes types are
			// the apiserver's to check.
		case defIsMap && len(dm) == 0:
			// Empty map: free-form by the chart's design (env, annotations, gatewayClasses...).
		case defIsMap:
			um, ok := v.(map[string]any)
			if !ok {
				c.fail(disp, "the chart's default is a map, got %T", v)
				continue
			}
			c.checked--
			c.walk(disp, eff, um, dm, false)
		default:
			if _, isList := dv.([]any); !isList {
				if _, isMap := v.(map[string]any); isMap {
					c.fail(disp, "the chart's default is a %T (%v), got a map", dv, dv)
				}
			}
		}
	}
}

func (c *valuesChecker) fail(p []string, format string, args ...any) {
	c.errs = append(c.errs, fmt.Errorf("chart %s: values path %s: %s", c.chart, strings.Join(p, "."), fmt.Sprintf(format, args...)))
}

// kubernetesTyped keys hold Kubernetes API types (or maps of them) that the templates pass through.
func kubernetesTyped(k string) bool {
	switch k {
	case "resources", "affinity", "tolerations", "nodeSelector", "env", "extraEnv":
		return true
	}
	l := strings.ToLower(k)
	return strings.HasSuffix(l, "securitycontext") || strings.HasSuffix(l, "annotations") || strings.HasSuffix(l, "labels")
}

func resolveChart(s *Schemas, chart, version string) (name, ver, valuesPath string, err error) {
	name = path.Base(strings.TrimSuffix(chart, "/"))
	for _, v := range []string{version, "v" + version, strings.TrimPrefix(version, "v")} {
		if p, ok := s.ChartValues[name+"@"+v]; ok {
			return name, v, p, nil
		}
	}
	var known []string
	for k := range s.ChartValues {
		known = append(known, k)
	}
	sort.Strings(known)
	return "", "", "", fmt.Errorf("chart %q version %q: no saved values.yaml (have %s)", chart, version, strings.Join(known, ", "))
}

func readValues(p string) (map[string]any, error) {
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	m := map[string]any{}
	if err := yaml.Unmarshal(data, &m); err != nil {
		return nil, err
	}
	if m == nil {
		m = map[string]any{}
	}
	return m, nil
}

// plainJSON turns caller-built values ([]string, map[string]string, structs) into JSON-shaped data.
func plainJSON(values map[string]any) (map[string]any, error) {
	raw, err := json.Marshal(values)
	if err != nil {
		return nil, err
	}
	m := map[string]any{}
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	if m == nil {
		m = map[string]any{}
	}
	return m, nil
}

// mergeMaps returns base overlaid with over (recursively for maps), as Helm coalesces values.
func mergeMaps(base, over map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range base {
		out[k] = v
	}
	for k, v := range over {
		bm, ok1 := out[k].(map[string]any)
		om, ok2 := v.(map[string]any)
		if ok1 && ok2 {
			out[k] = mergeMaps(bm, om)
			continue
		}
		out[k] = v
	}
	return out
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
