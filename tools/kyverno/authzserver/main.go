// Command authzserver runs kyverno-authz's own Envoy ext_authz gRPC server (pkg/authz/envoy.NewServer: its engine,
// dispatcher, breaker and resulter, its service and its answer when no policy matches) on policies read by its own
// file loader (pkg/engine/sources.LoadPolicies) and compiled by its own compiler, at the kyverno-authz commit
// Kyverno v1.19.0 requires. That is what `kyverno-authz serve envoy authz-server --kube-policy-source=false
// --external-policy-source=file://DIR` does (pkg/commands/serve/envoy/authz-server/command.go), minus the command's
// wiring, restated here in a few lines because its URL mux (pkg/utils/sources.go) needs go-fsimpl, a module the
// Go module proxy here refuses. Upstream's static source (utils.newStatic) compiles each policy once, at first
// load, wrapped in sdksources.NewOnce; so does this one.
//
// It prints "loaded N policies" on stderr before it listens: the upstream loader skips a document it cannot load
// with only a log line, and a server with no policy allows every request.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	authv3 "github.com/envoyproxy/go-control-plane/envoy/service/auth/v3"
	vpolv1 "github.com/kyverno/api/api/policies.kyverno.io/v1"
	"github.com/kyverno/kyverno-authz/pkg/authz/envoy"
	"github.com/kyverno/kyverno-authz/pkg/engine"
	vpolcompiler "github.com/kyverno/kyverno-authz/pkg/engine/compiler"
	"github.com/kyverno/kyverno-authz/pkg/engine/sources"
	"github.com/kyverno/kyverno-authz/pkg/events"
	"github.com/kyverno/sdk/core"
	sdksources "github.com/kyverno/sdk/core/sources"
	"k8s.io/client-go/dynamic"
	ctrl "sigs.k8s.io/controller-runtime"
)

func main() {
	policies := flag.String("policies", "", "directory of policy files (the server's file:// policy source)")
	addr := flag.String("grpc-address", "127.0.0.1:9081", "address to listen on")
	flag.Parse()
	if err := run(*policies, *addr); err != nil {
		fmt.Fprintln(os.Stderr, "authzserver:", err)
		os.Exit(1)
	}
}

func run(dir, addr string) error {
	if dir == "" {
		return fmt.Errorf("--policies is required")
	}
	policies, exceptions, err := sources.LoadPolicies(os.DirFS(dir))
	if err != nil {
		return err
	}
	if len(exceptions) > 0 {
		return fmt.Errorf("%d PolicyExceptions in %s: this runner does not match exceptions to policies", len(exceptions), dir)
	}
	fmt.Fprintf(os.Stderr, "loaded %d policies\n", len(policies))
	compiler := vpolcompiler.NewCompiler[dynamic.Interface, *authv3.CheckRequest, *authv3.CheckResponse](nil)
	var source engine.EnvoySource = sdksources.NewOnce(compiled(compiler, policies))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// The command's default log format and writer (its --log-msg-format flag).
	ev := events.NewWriterEventSubscriber[*authv3.CheckRequest](os.Stdout, ctrl.Log, "[%s] envoy: request %s, response: %s\n")
	return envoy.NewServer("tcp", addr, source, nil, ev).Run(ctx)
}

func compiled(c engine.Compiler[engine.EnvoyPolicy], policies []*vpolv1.ValidatingPolicy) core.Source[engine.EnvoyPolicy] {
	return core.SourceFunc[engine.EnvoyPolicy](func(context.Context) ([]engine.EnvoyPolicy, error) {
		out := make([]engine.EnvoyPolicy, 0, len(policies))
		for _, p := range policies {
			compiled, errs := c.Compile(p, nil)
			if len(errs) > 0 {
				return nil, errs.ToAggregate()
			}
			out = append(out, compiled)
		}
		return out, nil
	})
}
