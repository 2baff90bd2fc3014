package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/egress-mesh/egress-mesh/internal/verify"
)

// loadOutputs reads the stack outputs from a saved file or from `pulumi stack output`. --show-secrets is needed
// for the kubeconfig; the value only ever goes to a private temp file.
func (a app) loadOutputs(ctx context.Context, opts options) (verify.Outputs, error) {
	if opts.outputsFile != "" {
		data, err := os.ReadFile(opts.outputsFile)
		if err != nil {
			return verify.Outputs{}, err
		}
		o, err := verify.ParseOutputs(data)
		if err != nil {
			return verify.Outputs{}, fmt.Errorf("%s: %w", opts.outputsFile, err)
		}
		return o, nil
	}
	args := []string{"stack", "output", "--json", "--show-secrets", "--non-interactive"}
	if opts.stack != "" {
		args = append(args, "--stack", opts.stack)
	}
	if opts.cwd != "" {
		args = append(args, "--cwd", opts.cwd)
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	out, err := a.runner.Run(ctx, "pulumi", args...)
	if err != nil {
		return verify.Outputs{}, fmt.Errorf("reading stack outputs: %w", err)
	}
	return verify.ParseOutputs([]byte(out.Stdout))
}
