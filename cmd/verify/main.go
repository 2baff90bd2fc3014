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

	"github.com/egress-mesh/egress-mesh/internal/cli"
	"github.com/egress-mesh/egress-mesh/internal/verify"
)

// Exit codes: checks failed (or the run was interrupted) vs. verify could not even start.
const (
	exitFailed = 1
	exitUsage  = cli.ExitUsage
)

func main() {
	opts, code, done := parseFlags(os.Args[1:], os.Stdout, os.Stderr)
	if done {
		os.Exit(code)
	}

	// Every signal that would otherwise end the process cancels the run instead; checks then undo what they
	// changed (start Ollama again, scale the authz server back, delete the throwaway pod and namespace) with their
	// own short-lived contexts, and the kubeconfig file is deleted, before main returns. Signals stay caught
	// until then, so a second one cannot cut that cleanup short.
	ctx, stop := signal.NotifyContext(context.Background(), cleanupSignals...)
	defer stop()
	a := app{runner: verify.ExecRunner{}, checksFor: verify.Checks, stdout: os.Stdout, stderr: os.Stderr}
	code = a.run(ctx, opts)
	stop()
	os.Exit(code)
}

// cleanupSignals are the signals whose default action ends the process and that a program may catch: closing
// the terminal (SIGHUP), Ctrl-C, Ctrl-\ (SIGQUIT), kill, a closed output pipe (SIGPIPE, else a write to a
// closed stdout would kill verify mid-cleanup), timers and resource limits. SIGKILL and SIGSTOP cannot be
// caught; SIGPROF and SIGURG belong to the Go runtime.
var cleanupSignals = []os.Signal{
	syscall.SIGHUP, syscall.SIGINT, syscall.SIGQUIT, syscall.SIGTERM, syscall.SIGPIPE,
	syscall.SIGALRM, syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGVTALRM, syscall.SIGXCPU, syscall.SIGXFSZ,
}

// parseFlags reads the command line. done means exit now with code: 0 after --help (usage on stdout), 2 on a
// usage error (usage on stderr).
func parseFlags(args []string, stdout, stderr io.Writer) (opts options, code int, done bool) {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	fs.StringVar(&opts.stack, "stack", "", "Pulumi stack to read outputs from (default: the selected stack)")
	fs.StringVar(&opts.outputsFile, "outputs", "", "read outputs from this JSON file instead of running pulumi")
	fs.StringVar(&opts.cwd, "cwd", "", "Pulumi project directory (default: current directory)")
	fs.DurationVar(&opts.timeout, "timeout", 15*time.Minute, "give up on the whole run after this long")
	code, done = cli.Parse(fs, args, "Runs the live checks of an egress-mesh stack.", stdout, stderr)
	return opts, code, done
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
