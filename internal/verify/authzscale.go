package verify

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// How long to wait for the authz server's pods to go, and for the gateway to answer again once they are back
// (the gateway reconnects its gRPC channel on the next request).
const (
	scalePolls     = 45
	scaleInterval  = 2 * time.Second
	recoverPolls   = 15
	rolloutTimeout = 3 * time.Minute
)

// withoutAuthz runs down while the authz server is scaled to zero, then scales it back to its replicas, waits
// for the rollout and requires recovered to pass. The server is restored on every way out, a cancelled context
// (a caught signal) included; a failed restore fails the check with the command that finishes it.
func (e *Env) withoutAuthz(ctx context.Context, down, recovered func(context.Context) Result) (r Result) {
	w := e.Spec.AuthzServer
	if w == nil {
		return fail("the stack outputs name no authz server (verify.authzServer)")
	}
	deploy := "deploy/" + w.Deployment
	out, err := e.kubectl(ctx, time.Minute, "get", deploy, "-n", w.Namespace, "-o", "jsonpath={.spec.replicas}")
	if err != nil {
		return fail("cannot read %s's replicas in %s: %v", deploy, w.Namespace, err)
	}
	replicas, err := strconv.Atoi(strings.TrimSpace(out.Stdout))
	if err != nil || replicas < 1 {
		return fail("%s in %s has replicas %q; want at least 1 to take away", deploy, w.Namespace, out.Stdout)
	}
	restore := fmt.Sprintf("kubectl scale %s -n %s --replicas=%d", deploy, w.Namespace, replicas)

	_, scaleErr := e.kubectl(ctx, time.Minute, "scale", deploy, "-n", w.Namespace, "--replicas=0")
	defer func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), rolloutTimeout+time.Minute)
		defer cancel()
		if err := e.restoreAuthz(cctx, deploy, w.Namespace, replicas); err != nil {
			r = fail("%s; and the authz server is not back, run `%s`: %v", r.Evidence, restore, err)
			return
		}
		if r.Status != Pass || ctx.Err() != nil {
			return
		}
		back := e.poll(ctx, recoverPolls, recovered)
		if back.Status != Pass {
			r = fail("%s; but after scaling back to %d the gateway did not recover: %s", r.Evidence, replicas, back.Evidence)
			return
		}
		r = pass("%s; restored to %d replicas: %s", r.Evidence, replicas, back.Evidence)
	}()
	if scaleErr != nil {
		return fail("kubectl scale %s -n %s --replicas=0: %v", deploy, w.Namespace, scaleErr)
	}
	if err := e.waitNoPods(ctx, w.Namespace, w.Selector); err != nil {
		return fail("the authz server's pods did not go: %v", err)
	}
	return down(ctx)
}

func (e *Env) restoreAuthz(ctx context.Context, deploy, namespace string, replicas int) error {
	if _, err := e.kubectl(ctx, time.Minute, "scale", deploy, "-n", namespace, "--replicas="+strconv.Itoa(replicas)); err != nil {
		return err
	}
	_, err := e.kubectl(ctx, rolloutTimeout+30*time.Second, "rollout", "status", deploy, "-n", namespace,
		"--timeout="+rolloutTimeout.String())
	return err
}

// waitNoPods polls until no pod matches selector: a terminating pod may still answer.
func (e *Env) waitNoPods(ctx context.Context, namespace, selector string) error {
	left := "unknown"
	for i := 0; i < scalePolls; i++ {
		if i > 0 {
			if err := e.Sleep(ctx, scaleInterval); err != nil {
				return fmt.Errorf("%w (pods left: %s)", err, left)
			}
		}
		out, err := e.kubectl(ctx, 30*time.Second, "get", "pods", "-n", namespace, "-l", selector, "-o", "name")
		if err != nil {
			left = err.Error()
			continue
		}
		if left = strings.Join(strings.Fields(out.Stdout), " "); left == "" {
			return nil
		}
	}
	return fmt.Errorf("still there after %s: %s", time.Duration(scalePolls)*scaleInterval, left)
}

// poll runs check until it passes or the polls run out, returning the last result.
func (e *Env) poll(ctx context.Context, polls int, check func(context.Context) Result) Result {
	var r Result
	for i := 0; i < max(polls, 1); i++ {
		if i > 0 {
			if err := e.Sleep(ctx, e.PollInterval); err != nil {
				return fail("%s (%v)", r.Evidence, err)
			}
		}
		if r = check(ctx); r.Status == Pass {
			return r
		}
	}
	return r
}
