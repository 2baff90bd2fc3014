package stacks

import (
	"fmt"
	"strings"
)

// parser reads one key at a time, applying the default and recording what is wrong.
type parser struct {
	raw      Raw
	errs     []error
	bad      map[string]bool
	inactive map[string]bool // keys that do not apply to this path or mode: their default is used
}

// fail records an error about key; the value shows as `<secret>` if the key was set as a secret.
func (p *parser) fail(key, value, why string) {
	if p.bad == nil {
		p.bad = map[string]bool{}
	}
	base, _, _ := strings.Cut(key, "[")
	p.bad[base] = true
	if value != "" && p.raw.Secrets[base] {
		value = SecretPlaceholder
	}
	p.errs = append(p.errs, &ConfigError{Key: key, Value: value, Reason: why})
}

// ok reports that no error was recorded for key (so a cross-check does not pile onto it).
func (p *parser) ok(key string) bool { return !p.bad[key] }

// isSet reports whether the stack gave key a value of its own: Pulumi applies Pulumi.yaml's defaults before the
// program runs, so a value equal to the default is indistinguishable from an unset key.
func (p *parser) isSet(key string) bool {
	v := strings.TrimSpace(p.raw.Values[key])
	k, _ := KeyNamed(key)
	return v != "" && normalise(v) != normalise(k.Default)
}

// str returns the value, or the key's default when unset or when the key does not apply.
func (p *parser) str(key string) string {
	k, known := KeyNamed(key)
	if !known {
		panic("stacks: unknown config key " + key)
	}
	if v, ok := p.raw.Values[key]; ok && !p.inactive[key] {
		return strings.TrimSpace(v)
	}
	return k.Default
}

// opaque reports a value the reader could not see (an undecrypted secret in cmd/render).
func (p *parser) opaque(key string) bool { return p.raw.Opaque[key] }

// ConfigError is one bad config value.
type ConfigError struct {
	Key, Value, Reason string
}

// SecretPlaceholder is how messages show a value set as a secret.
const SecretPlaceholder = "<secret>"

func (e *ConfigError) Error() string {
	if e.Value == "" {
		return fmt.Sprintf("config %s:%s %s", Namespace, e.Key, e.Reason)
	}
	return fmt.Sprintf("config %s:%s = %q %s", Namespace, e.Key, e.Value, e.Reason)
}
