package squid

import (
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"strconv"
)

// crypt64 is the alphabet of crypt(3) hashes and salts.
const crypt64 = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// Scheme: SHA-512-crypt ("$6$"), with hashRounds rounds and a 16-character salt derived from the project,
// the stack and the username (htpasswdSalt), so equal credentials give different hashes on different stacks,
// projects and users, an unchanged password gives the same line on every `pulumi up` (no diff, no Squid
// restart), and a changed one a new line.
//
// The salt is neither random nor kept in the state: anyone who knows the project, stack and username can
// compute it. That is fine, because a salt is not a secret: crypt(3) writes it in clear in every hash string
// ("$6$rounds=N$<salt>$..."), so whoever reads the htpasswd line has it anyway. What a salt is for is that
// one precomputed table or one guessing run cannot serve many lines at once, and for that it only has to differ
// between the lines an attacker could gather: here, between stacks, projects and users. (Before, a
// pulumi-command local.Command drew the salt from /dev/urandom once and the state kept it; that made every
// stack with Squid credentials load the command provider plugin, for no gain in strength.)
//
// The salt must NOT be derived from the password. It is visible in the line, so a password-derived salt would
// hand an attacker a cheap oracle: for each guess, one fast hash of the guess compared against the salt would
// confirm or reject it, skipping the hashRounds rounds of SHA-512 that the line is meant to cost per guess.
//
// Why this scheme: Squid 6's basic_ncsa_auth (src/auth/basic/NCSA/basic_ncsa_auth.cc) accepts any stored
// hash starting with '$' that the system crypt(3) verifies ("'$1$' = MD5, '$2a$' = Blowfish, '$5$' = SHA256
// (Linux), '$6$' = SHA256 (BSD) and SHA512"), then falls back to its own MD5-crypt. The pinned image is
// Ubuntu 24.04, whose crypt(3) is libxcrypt: it also knows yescrypt ("$y$") and bcrypt ("$2b$"), which are
// stronger against GPU guessing, but the program computes the line in Go without cgo, and neither has an
// implementation among the pinned modules that takes a given salt (golang.org/x/crypto/bcrypt draws its own,
// so the line would change on every run). SHA-512-crypt with explicit rounds is the strongest the helper
// accepts that the program can compute reproducibly; 200000 rounds cost ~0.1 s per check, paid once per
// credentialsttl (Squid caches a verified Basic credential, 2 h by default).
const hashRounds = 200000

// saltLength is SHA-512-crypt's maximum salt length.
const saltLength = 16

// saltDomain separates this use of SHA-256 from any other hash of the same names.
const saltDomain = "egress-mesh/squid-htpasswd"

// saltEncoding is base64 (RFC 4648 bit order) over crypt(3)'s alphabet, so every character is valid in a salt.
var saltEncoding = base64.NewEncoding(crypt64).WithPadding(base64.NoPadding)

// htpasswdSalt is the salt of user's line on this project's stack: the first saltLength characters of the
// crypt64 encoding of SHA-256(saltDomain NUL project NUL stack NUL user), 96 bits. It takes no password (see
// above).
func htpasswdSalt(project, stack, user string) string {
	sum := sha256.Sum256([]byte(saltDomain + "\x00" + project + "\x00" + stack + "\x00" + user))
	return saltEncoding.EncodeToString(sum[:])[:saltLength]
}

// htpasswdLine is one line of the file basic_ncsa_auth reads: user:$6$rounds=N$salt$hash.
func htpasswdLine(user, password, salt string) string {
	return user + ":" + sha512Crypt(password, salt, hashRounds) + "\n"
}

// sha512Crypt is Ulrich Drepper's SHA-crypt with SHA-512 (https://www.akkadia.org/drepper/SHA-crypt.txt), as
// glibc and libxcrypt compute it; the tests hold vectors libxcrypt produced.
func sha512Crypt(password, salt string, rounds int) string {
	if len(salt) > saltLength {
		salt = salt[:saltLength]
	}
	p, s := []byte(password), []byte(salt)

	b := sha512.Sum512(append(append(append([]byte(nil), p...), s...), p...))
	a := sha512.New()
	a.Write(p)
	a.Write(s)
	for n := len(p); n > 0; n -= 64 {
		a.Write(b[:min(64, n)])
	}
	for n := len(p); n > 0; n >>= 1 {
		if n&1 != 0 {
			a.Write(b[:])
		} else {
			a.Write(p)
		}
	}
	digest := a.Sum(nil)

	dp := sha512.New()
	for range p {
		dp.Write(p)
	}
	pSeq := repeatTo(dp.Sum(nil), len(p))
	ds := sha512.New()
	for i := 0; i < 16+int(digest[0]); i++ {
		ds.Write(s)
	}
	sSeq := repeatTo(ds.Sum(nil), len(s))

	for i := 0; i < rounds; i++ {
		c := sha512.New()
		if i&1 != 0 {
			c.Write(pSeq)
		} else {
			c.Write(digest)
		}
		if i%3 != 0 {
			c.Write(sSeq)
		}
		if i%7 != 0 {
			c.Write(pSeq)
		}
		if i&1 != 0 {
			c.Write(digest)
		} else {
			c.Write(pSeq)
		}
		digest = c.Sum(digest[:0])
	}

	out := []byte("$6$")
	if rounds != 5000 {
		out = append(out, "rounds="+strconv.Itoa(rounds)+"$"...)
	}
	out = append(out, salt...)
	out = append(out, '$')
	to64 := func(v uint32, n int) {
		for ; n > 0; n-- {
			out = append(out, crypt64[v&0x3f])
			v >>= 6
		}
	}
	d := digest
	for _, t := range [][3]int{{0, 21, 42}, {22, 43, 1}, {44, 2, 23}, {3, 24, 45}, {25, 46, 4}, {47, 5, 26}, {6, 27, 48},
		{28, 49, 7}, {50, 8, 29}, {9, 30, 51}, {31, 52, 10}, {53, 11, 32}, {12, 33, 54}, {34, 55, 13}, {56, 14, 35},
		{15, 36, 57}, {37, 58, 16}, {59, 17, 38}, {18, 39, 60}, {40, 61, 19}, {62, 20, 41}} {
		to64(uint32(d[t[0]])<<16|uint32(d[t[1]])<<8|uint32(d[t[2]]), 4)
	}
	to64(uint32(d[63]), 2)
	return string(out)
}

// repeatTo is sum repeated (and cut) to n bytes.
func repeatTo(sum []byte, n int) []byte {
	out := make([]byte, 0, n)
	for len(out) < n {
		out = append(out, sum[:min(len(sum), n-len(out))]...)
	}
	return out
}
