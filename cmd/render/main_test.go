package main

import (
	"bytes"
	"flag"
	"testing"

	"github.com/stretchr/testify/assert"
)

// glog, imported through internal/render, registers its flags on flag.CommandLine; they must not show.
func TestHelpShowsOnlyRendersFlagsAndExitsZero(t *testing.T) {
	// The control: in this very binary the global flag set does carry glog's flags.
	var global bytes.Buffer
	flag.CommandLine.SetOutput(&global)
	flag.CommandLine.PrintDefaults()
	assert.Contains(t, global.String(), "-log_dir", "control: glog's flags are registered globally")

	for _, arg := range []string{"--help", "-h"} {
		var out, errOut bytes.Buffer
		_, code, done := parseFlags([]string{arg}, &out, &errOut)
		assert.True(t, done)
		assert.Equal(t, 0, code)
		assert.Empty(t, errOut.String())
		for _, f := range []string{"-stack", "-out", "-dir", "-deployed"} {
			assert.Contains(t, out.String(), f)
		}
		for _, f := range []string{"-log_dir", "-logtostderr", "-v ", "-vmodule", "-alsologtostderr", "-stderrthreshold"} {
			assert.NotContains(t, out.String(), f)
		}
	}
}

func TestRenderFlags(t *testing.T) {
	opts, _, done := parseFlags([]string{"--stack", "squid"}, &bytes.Buffer{}, &bytes.Buffer{})
	assert.False(t, done)
	assert.Equal(t, options{stack: "squid", out: "out/squid", dir: "."}, opts)

	for _, args := range [][]string{{"--v", "2"}, {"--log_dir", "/tmp"}, {"extra"}} {
		var out, errOut bytes.Buffer
		_, code, done := parseFlags(args, &out, &errOut)
		assert.True(t, done, args)
		assert.Equal(t, 2, code, args)
		assert.Contains(t, errOut.String(), "Usage: render", args)
	}
}
