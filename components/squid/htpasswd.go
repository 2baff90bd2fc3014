package squid

import (
	"crypto/md5"
	"crypto/sha256"
)

// crypt64 is the alphabet of crypt(3) hashes.
const crypt64 = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// htpasswdLine is one line of the file Squid's basic_ncsa_auth reads: user:$1$salt$hash (MD5-crypt, the
// scheme basic_ncsa_auth checks itself besides whatever the system crypt(3) knows). The salt is derived
// from the credentials so the same password gives the same line on every run: a random salt would
// replace the Secret and restart Squid on every `pulumi up`.
func htpasswdLine(user, password string) string {
	sum := sha256.Sum256([]byte(user + "\x00" + password))
	salt := make([]byte, 8)
	for i := range salt {
		salt[i] = crypt64[sum[i]&0x3f]
	}
	return user + ":" + md5Crypt(password, string(salt)) + "\n"
}

// md5Crypt is the FreeBSD MD5-crypt ("$1$") of password with salt (at most 8 characters).
func md5Crypt(password, salt string) string {
	const magic = "$1$"
	if len(salt) > 8 {
		salt = salt[:8]
	}
	pw := []byte(password)

	alt := md5.Sum([]byte(password + salt + password))
	h := md5.New()
	h.Write([]byte(password + magic + salt))
	for i := len(pw); i > 0; i -= 16 {
		h.Write(alt[:min(16, i)])
	}
	for i := len(pw); i > 0; i >>= 1 {
		if i&1 != 0 {
			h.Write([]byte{0})
		} else {
			h.Write(pw[:1])
		}
	}
	final := h.Sum(nil)

	for i := 0; i < 1000; i++ {
		r := md5.New()
		if i&1 != 0 {
			r.Write(pw)
		} else {
			r.Write(final)
		}
		if i%3 != 0 {
			r.Write([]byte(salt))
		}
		if i%7 != 0 {
			r.Write(pw)
		}
		if i&1 != 0 {
			r.Write(final)
		} else {
			r.Write(pw)
		}
		final = r.Sum(nil)
	}

	out := []byte(magic + salt + "$")
	to64 := func(v uint32, n int) {
		for ; n > 0; n-- {
			out = append(out, crypt64[v&0x3f])
			v >>= 6
		}
	}
	f := final
	to64(uint32(f[0])<<16|uint32(f[6])<<8|uint32(f[12]), 4)
	to64(uint32(f[1])<<16|uint32(f[7])<<8|uint32(f[13]), 4)
	to64(uint32(f[2])<<16|uint32(f[8])<<8|uint32(f[14]), 4)
	to64(uint32(f[3])<<16|uint32(f[9])<<8|uint32(f[15]), 4)
	to64(uint32(f[4])<<16|uint32(f[10])<<8|uint32(f[5]), 4)
	to64(uint32(f[11]), 2)
	return string(out)
}
