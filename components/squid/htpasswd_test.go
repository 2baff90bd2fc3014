package squid

import (
	"os/exec"
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

// saltCommand, run by the shell as the command provider runs it, prints 16 characters of crypt(3)'s salt
// alphabet, different each time.
func TestSaltCommandDrawsACryptSalt(t *testing.T) {
	salt := regexp.MustCompile(`^[./0-9A-Za-z]{16}$`)
	var seen []string
	for range 2 {
		out, err := exec.Command("sh", "-c", saltCommand).Output()
		require.NoError(t, err)
		assert.Regexp(t, salt, string(out))
		seen = append(seen, string(out))
	}
	assert.NotEqual(t, seen[0], seen[1])
	assert.NotRegexp(t, salt, "short/salt", "negative control")
}
