package stacks

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/egress-mesh/egress-mesh/internal/editdistance"
)

// unknownKeys refuses every key in the project's namespace the program does not read. The Pulumi CLI passes
// such keys through untouched (see SetKeyNames), so without this a typo silently deploys the default.
func (p *parser) unknownKeys() {
	var names []string
	for name := range p.raw.Values {
		if _, known := KeyNamed(name); !known {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	for _, name := range names {
		why := "is not a key of this program"
		if near := closestKey(name); near != "" {
			why += fmt.Sprintf(" (did you mean %s?)", near)
		}
		p.errs = append(p.errs, &ConfigError{Key: name, Reason: why + "; the keys are listed in Pulumi.yaml and the README"})
	}
}

// closestKey is the known key a typo most likely meant: same letters ignoring case, or within an edit
// distance of a third of its length.
func closestKey(name string) string {
	best, bestDist := "", len(name)/3+1
	for _, k := range Keys {
		if strings.EqualFold(k.Name, name) {
			return k.Name
		}
		if d := editdistance.Levenshtein(strings.ToLower(name), strings.ToLower(k.Name)); d < bestDist {
			best, bestDist = k.Name, d
		}
	}
	return best
}

// secrecy applies each key's Secrecy: a required secret given in plain text, or a secret given for a value
// the cluster shows to every reader, is refused.
func (p *parser) secrecy() {
	for _, k := range Keys {
		v := p.raw.Values[k.Name]
		switch {
		case k.Secrecy == SecretRequired && v != "" && !p.raw.Secrets[k.Name]:
			p.fail(k.Name, "<plain text>", "must be set as a secret: `pulumi config set --secret "+k.Name+"`")
		case k.Secrecy == SecretRefused && p.raw.Secrets[k.Name]:
			p.fail(k.Name, v, "cannot be a secret: it becomes a name, port or address that every reader of the cluster "+
				"sees, so Pulumi's encryption would protect nothing; set it in plain text. Keys that may be secrets: "+
				strings.Join(keysWithSecrecy(SecretAllowed, SecretRequired), ", "))
		}
	}
}

func keysWithSecrecy(s ...Secrecy) []string {
	var out []string
	for _, k := range Keys {
		for _, want := range s {
			if k.Secrecy == want {
				out = append(out, k.Name)
			}
		}
	}
	return out
}

// applicability is the one rule for keys of another path or mode: a key set while one of its conditions does
// not hold is an error saying where it applies, and its value is not read (so it is not also reported as bad).
func (p *parser) applicability() {
	p.inactive = map[string]bool{}
	for _, k := range Keys {
		for _, c := range k.Only {
			if !p.ok(c.Key) || !p.validChoice(c.Key) || p.str(c.Key) == c.Value {
				continue
			}
			p.inactive[k.Name] = true
			if p.isSet(k.Name) && p.ok(k.Name) {
				p.fail(k.Name, p.raw.Values[k.Name], fmt.Sprintf("only applies when %s is %q (it is %q); remove it or set %s to %s",
					c.Key, c.Value, p.str(c.Key), c.Key, c.Value))
			}
			break
		}
	}
}

// normalise makes a default and a stack value comparable: JSON values compacted, strings trimmed.
func normalise(v string) string {
	var x any
	if err := json.Unmarshal([]byte(v), &x); err == nil {
		if b, err := json.Marshal(x); err == nil {
			return string(b)
		}
	}
	return strings.TrimSpace(v)
}
