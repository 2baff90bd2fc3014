// Command render shows everything a stack would deploy, with no cluster and no credentials: it runs the same
// program code as `pulumi up` against an in-process stand-in for the engine and writes the result.
//
//	go run ./cmd/render --stack dev --out out/dev
package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/egress-mesh/egress-mesh/internal/cli"
	"github.com/egress-mesh/egress-mesh/internal/render"
)

type options struct {
	stack, out, dir string
	deployed        bool
}

func main() {
	opts, code, done := parseFlags(os.Args[1:], os.Stdout, os.Stderr)
	if done {
		os.Exit(code)
	}
	res, err := render.RunStack(opts.dir, opts.stack, !opts.deployed)
	if err != nil {
		fmt.Fprintf(os.Stderr, "render %s: %v\n", opts.stack, err)
		os.Exit(1)
	}
	if err := res.Write(opts.out); err != nil {
		fmt.Fprintf(os.Stderr, "render %s: %v\n", opts.stack, err)
		os.Exit(1)
	}
	fmt.Print(res.Summary())
	fmt.Printf("\nwrote %s/{objects.yaml,helm.yaml,graph.dot,summary.txt}\n", opts.out)
}

// parseFlags reads the command line with a FlagSet of its own: packages render imports register flags on
// flag.CommandLine in their init (glog's -v, -log_dir, ...), which have nothing to do with this command.
func parseFlags(args []string, stdout, stderr io.Writer) (opts options, code int, done bool) {
	fs := flag.NewFlagSet("render", flag.ContinueOnError)
	fs.StringVar(&opts.stack, "stack", "dev", "stack name: reads Pulumi.<stack>.yaml")
	fs.StringVar(&opts.out, "out", "", "output directory (default out/<stack>)")
	fs.StringVar(&opts.dir, "dir", ".", "project directory (where Pulumi.yaml is)")
	fs.BoolVar(&opts.deployed, "deployed", false, "render as after deployment (fake provider outputs) instead of as a preview (unknowns shown as <unknown: ...>)")
	if code, done = cli.Parse(fs, args, "Writes every object, chart and dependency a stack would deploy, without a cluster.",
		stdout, stderr); done {
		return opts, code, done
	}
	if opts.out == "" {
		opts.out = "out/" + opts.stack
	}
	return opts, 0, false
}
