// Package cli is the command-line handling the project's tools share.
package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
)

// ExitUsage is the exit code of a command line the tool cannot use.
const ExitUsage = 2

// Parse parses args with fs, a FlagSet of the tool's own (never flag.CommandLine, where imported packages such
// as glog register theirs). done means exit now with code: 0 after --help/-h with the usage on stdout,
// ExitUsage on a bad flag or a stray argument with the error and usage on stderr. about is the usage's first
// lines.
func Parse(fs *flag.FlagSet, args []string, about string, stdout, stderr io.Writer) (code int, done bool) {
	fs.SetOutput(io.Discard) // errors and usage are printed below, each to its stream
	usage := func(w io.Writer) {
		fmt.Fprintf(w, "Usage: %s [flags]\n\n%s\n\nFlags:\n", fs.Name(), about)
		fs.SetOutput(w)
		fs.PrintDefaults()
	}
	switch err := fs.Parse(args); {
	case errors.Is(err, flag.ErrHelp):
		usage(stdout)
		return 0, true
	case err != nil:
		fmt.Fprintf(stderr, "%s: %v\n", fs.Name(), err)
	case fs.NArg() > 0:
		fmt.Fprintf(stderr, "%s: unexpected arguments %q\n", fs.Name(), fs.Args())
	default:
		return 0, false
	}
	usage(stderr)
	return ExitUsage, true
}
