// Command verify proves a live egress-mesh stack works: it reads the stack's outputs, runs the checks for its
// path with kubectl and docker, prints one line per check and exits 1 if any failed.
//
//	go run ./cmd/verify --stack dev
//	go run ./cmd/verify --outputs outputs.json   # saved `pulumi stack output --json --show-secrets`
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/egress-mesh/egress-mesh/internal/verify"
)

// Exit codes: checks failed (or the run was interrupted) vs. verify could not even start.
const (
	exitFailed = 1
	exitUsage  = 2
)

func main() {
	var opts options
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	fs.StringVar(&opts.stack, "stack", "", "Pulumi stack to read outputs from (default: the selected stack)")
	fs.StringVar(&opts.outputsFile, "outputs", "", "read outputs from this JSON file instead of running pulumi")
	fs.StringVar(&opts.cwd, "cwd", "", "Pulumi project directory (default: current directory)")
	fs.DurationVar(&opts.timeout, "timeout", 15*time.Minute, "give up on the whole run after this long")
	if err := fs.Parse(os.Args[1:]); err != nil {
		os.Exit(exitUsage)
	}

	// SIGINT/SIGTERM cancel the run; checks then undo what they changed (unpause Ollama, delete the throwaway
	// pod) with their own short-lived contexts before main returns. Signals stay caught until then, so a second
	// Ctrl-C cannot cut that cleanup short.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	a := app{runner: verify.ExecRunner{}, checksFor: verify.Checks, stdout: os.Stdout, stderr: os.Stderr}
	code := a.run(ctx, opts)
	stop()
	os.Exit(code)
}

type options struct {
	stack       string
	outputsFile string
	cwd         string
	timeout     time.Duration
}

// app is main's logic with its dependencies as fields, for tests.
type app struct {
	runner    verify.Runner
	checksFor func(verify.Spec) ([]verify.Check, error)
	stdout    io.Writer
	stderr    io.Writer
}

func (a app) run(ctx context.Context, opts options) int {
	if opts.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, opts.timeout)
		defer cancel()
	}
	outs, err := a.loadOutputs(ctx, opts)
	if err != nil {
		fmt.Fprintf(a.stderr, "verify: %v\n", err)
		return exitUsage
	}
	checks, err := a.checksFor(outs.Verify)
	if err != nil {
		fmt.Fprintf(a.stderr, "verify: %v\n", err)
		return exitUsage
	}
	kubeconfig, cleanup, err := verify.WriteKubeconfig(outs.Kubeconfig)
	if err != nil {
		fmt.Fprintf(a.stderr, "verify: %v\n", err)
		return exitUsage
	}
	defer cleanup()

	fmt.Fprintf(a.stdout, "egress-mesh verify: path %s, cluster %s\n\n", outs.Path, outs.ClusterName)
	sum := verify.RunAll(ctx, verify.NewEnv(a.runner, kubeconfig, outs.Verify), checks, a.stdout)
	if !sum.OK() {
		return exitFailed
	}
	return 0
}
