package squid

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Vectors from the real crypt(3) (libxcrypt 4.4, as in the pinned Ubuntu 24.04 image), produced with
// `perl -e 'print crypt($password, $setting)'`; the first is also in Drepper's SHA-crypt specification.
func TestSHA512CryptMatchesLibxcrypt(t *testing.T) {
	for _, v := range []struct {
		password, salt string
		rounds         int
		want           string
	}{
		{"Hello world!", "saltstring", 5000, "$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1"},
		{"s3cret", "saltstring", 5000, "$6$saltstring$xwVXmdoFwkuFfkvrCnFqepsb1G.0z7.VoLCq69.god.O.zXvYSQsLM/oDMuI05ufmibO/tzUYEh4IPt9kZAc0."},
		{"", "saltstring", 5000, "$6$saltstring$kyGrqt6gmjAdtFLPrflEFifSYLCWWq1pyx95SvqinLDy2UHmj0sTF0MSLMwxPFZc3tu5kQckI8fks0zOPda3n1"},
		{"Hello world!", "saltstringsaltstring", 10000, "$6$rounds=10000$saltstringsaltst$OW1/O6BYHV6BcXZu8QVeXbDWra3Oeqh0sbHbbMCVNSnCM/UrjmM0Dp8vOuZeHBy/YTBmSK6H9qs/y3RnOaw5v."},
		{"s3cret", "AbCd./9zXyWvUt12", 200000, "$6$rounds=200000$AbCd./9zXyWvUt12$GRPKT0x.mY.ch2jmJOcQSg6YIouNfF7docAHq4M4YPoicXYBWfavUAT7d.TLvf4UiCo40SBy/ZxYI/UWqUA3A0"},
	} {
		assert.Equal(t, v.want, sha512Crypt(v.password, v.salt, v.rounds), "%q with %q", v.password, v.salt)
	}
	// Negative control: one character of password or salt changes the hash.
	assert.NotEqual(t, "$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1",
		sha512Crypt("Hello world?", "saltstring", 5000))
}

// The salt, not the credentials, makes the line differ between stacks; with one stack's salt, an unchanged
// password gives the same line (no diff) and a changed one a new line.
func TestHtpasswdLineFollowsPasswordAndSalt(t *testing.T) {
	const salt, other = "AbCd./9zXyWvUt12", "ZyXw./1aBcDeFg34"
	line := htpasswdLine("alice", "s3cret", salt)
	assert.Equal(t, "alice:$6$rounds=200000$AbCd./9zXyWvUt12$GRPKT0x.mY.ch2jmJOcQSg6YIouNfF7docAHq4M4YPoicXYBWfavUAT7d.TLvf4UiCo40SBy/ZxYI/UWqUA3A0\n", line)
	assert.Equal(t, line, htpasswdLine("alice", "s3cret", salt), "unchanged password: unchanged line")
	assert.NotEqual(t, line, htpasswdLine("alice", "s3cret!", salt), "changed password: changed line")
	assert.NotEqual(t, line, htpasswdLine("alice", "s3cret", other), "equal credentials on another stack: another line")
	assert.NotContains(t, line, "s3cret")
	assert.True(t, strings.HasSuffix(line, "\n"))
}

// cryptSalt is what SHA-512-crypt takes as a full-length salt: 16 characters of crypt(3)'s alphabet.
var cryptSalt = regexp.MustCompile(`^[./0-9A-Za-z]{16}$`)

// The scheme pinned by values computed outside this code: the salt with Python's hashlib and base64 (standard
// alphabet translated to crypt64), the line with the system crypt(3) (libxcrypt 4.4.33, Debian 12), by
// `perl -e 'print crypt("s3cret", q{$6$rounds=200000$EsyfYGEXcqmAQ8XD$})'`. A change of the derivation would
// change every deployed line (one Squid restart per stack): this test makes it deliberate.
func TestHtpasswdSaltKnownAnswer(t *testing.T) {
	assert.Equal(t, "EsyfYGEXcqmAQ8XD", htpasswdSalt("egress-mesh", "dev", "egress"))
	assert.Equal(t, "0MiIyOEc1GTNGKB7", htpasswdSalt("egress-mesh", "squid", "egress"))
	assert.Equal(t, "JScRcMFFbUwO2hjS", htpasswdSalt("egress-mesh", "test", "egress"))
	assert.Equal(t, "egress:$6$rounds=200000$EsyfYGEXcqmAQ8XD$/hxUFiPrOTilzjrUPY/vx3t..HnLGzTjNnsJy.4jHXxe6OXp97vgLsjshHthFVsWwzKAM1Miteb5c/zU76AW81\n",
		htpasswdLine("egress", "s3cret", htpasswdSalt("egress-mesh", "dev", "egress")))
}

// Every salt is a full-length crypt(3) salt, whatever the names (empty, long, non-ASCII, with separators).
func TestHtpasswdSaltIsACryptSalt(t *testing.T) {
	for _, in := range [][3]string{
		{"egress-mesh", "dev", "egress"},
		{"", "", ""},
		{"p", "organization/stack", "user@example.com"},
		{"проект", "стек", "пользователь"},
		{strings.Repeat("x", 1000), "s", "u:$6$"},
	} {
		salt := htpasswdSalt(in[0], in[1], in[2])
		assert.Regexp(t, cryptSalt, salt, "%q", in)
		assert.Len(t, salt, saltLength)
		for _, r := range salt {
			assert.Contains(t, crypt64, string(r))
		}
	}
	assert.NotRegexp(t, cryptSalt, "short/salt", "negative control")
	assert.NotRegexp(t, cryptSalt, "has+plus=16chars", "negative control: standard base64's characters")
}

// Equal credentials on another stack, project or user give another salt and so another line; the same
// project, stack and user give the same salt and line on every run.
func TestHtpasswdSaltSeparatesStacksProjectsAndUsers(t *testing.T) {
	const pw = "s3cret"
	base := htpasswdSalt("egress-mesh", "dev", "egress")
	assert.Equal(t, base, htpasswdSalt("egress-mesh", "dev", "egress"), "same inputs: same salt")
	assert.Equal(t, htpasswdLine("egress", pw, base), htpasswdLine("egress", pw, htpasswdSalt("egress-mesh", "dev", "egress")),
		"same inputs: same line, so no diff and no Squid restart")
	for what, salt := range map[string]string{
		"another stack":   htpasswdSalt("egress-mesh", "prod", "egress"),
		"another project": htpasswdSalt("other-project", "dev", "egress"),
		"another user":    htpasswdSalt("egress-mesh", "dev", "egress2"),
		// The separators keep the fields apart: moving a boundary is another input.
		"shifted fields": htpasswdSalt("egress-mesh", "deve", "gress"),
	} {
		assert.NotEqual(t, base, salt, what)
		assert.NotEqual(t, htpasswdLine("egress", pw, base), htpasswdLine("egress", pw, salt), what)
	}
}

// The password does not reach the salt: two passwords give lines with the same "$6$rounds=200000$<salt>$"
// and different hashes. (A password-derived salt, visible in the line, would let a guess be tested with one
// cheap hash instead of 200000 rounds.)
func TestHtpasswdSaltIgnoresThePassword(t *testing.T) {
	salt := htpasswdSalt("egress-mesh", "dev", "egress")
	prefix := "egress:$6$rounds=200000$" + salt + "$"
	a, b := htpasswdLine("egress", "s3cret", salt), htpasswdLine("egress", "another-pw", salt)
	require.True(t, strings.HasPrefix(a, prefix), a)
	require.True(t, strings.HasPrefix(b, prefix), b)
	assert.NotEqual(t, a, b, "the hashes after the salt differ")
	assert.NotContains(t, salt, "s3cret")
}
