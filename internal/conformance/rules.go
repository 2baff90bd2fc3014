package conformance

// chartRules are the per-chart exceptions to "every path must exist in values.yaml", from
// notes/resources.md ("Helm values") and the charts' own templates.
type chartRules struct {
	// defaultsRoot: Istio charts keep every default under this key and merge it under user values.
	defaultsRoot string
	// forbidden top-level keys (Istio's zzz_profile.yaml fails on "defaults"; the internal key is not for users).
	forbidden map[string]bool
	// undeclared paths the templates read though values.yaml does not list them.
	undeclared map[string]bool
	// aliases: a top-level key whose contents are read as if set at the given path (nil = top level).
	aliases map[string][]string
	// freeForm paths checked by a dedicated checker instead of the defaults; errors start with "<at>.<field>: ".
	freeForm map[string]func(at string, v any) []string
}

func rulesFor(chart string) chartRules {
	switch chart {
	case "base", "istiod", "cni", "ztunnel":
		r := chartRules{
			defaultsRoot: "_internal_defaults_do_not_set",
			forbidden:    map[string]bool{"_internal_defaults_do_not_set": true, "defaults": true},
			undeclared: map[string]bool{
				"profile": true, "global.profile": true, "platform": true, "global.platform": true, "compatibilityVersion": true,
			},
			aliases:  map[string][]string{},
			freeForm: map[string]func(string, any) []string{"meshConfig": checkMeshConfig},
		}
		switch chart {
		case "istiod":
			r.aliases["pilot"] = nil
		case "cni":
			r.aliases["cni"] = nil
		case "ztunnel":
			r.aliases["global"] = nil
		}
		return r
	}
	return chartRules{}
}
