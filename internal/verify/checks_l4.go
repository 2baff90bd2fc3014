package verify

import (
	"context"
	"fmt"
	"time"
)

// OtherServiceAccount is the identity of the throwaway pod: every namespace has it, and the gateway's L4 policy
// admits only the client's own service account.
const OtherServiceAccount = "default"

// How long the throwaway pod may take to pull its image, run curl and finish.
const (
	l4PodPolls    = 60
	l4PodInterval = 2 * time.Second
)

// ollamaL4Identity runs a one-shot curl pod in the client namespace under another service account and requires
// that its connection to the gateway fails. The pod is deleted on every way out.
func ollamaL4Identity(ctx context.Context, e *Env) Result {
	s := e.Spec
	if s.ClientServiceAccount == OtherServiceAccount {
		return skip("the client itself runs as service account %q; there is no other identity to try", OtherServiceAccount)
	}
	img, err := e.kubectl(ctx, time.Minute, "get", "deploy/"+s.ClientDeployment, "-n", s.ClientNamespace, "-o",
		fmt.Sprintf(`jsonpath={.spec.template.spec.containers[?(@.name=="%s")].image}`, s.ClientContainer))
	if err != nil || img.Stdout == "" {
		return fail("cannot read the client's image (deploy/%s container %s): %v", s.ClientDeployment, s.ClientContainer, err)
	}

	pod := "egress-verify-l4-" + e.Nonce()
	overrides := fmt.Sprintf(`{"apiVersion":"v1","spec":{"serviceAccountName":%q}}`, OtherServiceAccount)
	_, err = e.kubectl(ctx, time.Minute, "run", pod, "-n", s.ClientNamespace, "--image", img.Stdout,
		"--restart", "Never", "--labels", "app.kubernetes.io/name=egress-verify", "--overrides", overrides,
		"--command", "--", "curl", "-sSv", "--max-time", "10",
		"-H", "Host: "+s.HostHeader, "-H", s.AuthzHeader+": true", s.GatewayURL)
	defer func() {
		cctx, cancel := cleanupContext(ctx)
		defer cancel()
		_, _ = e.kubectl(cctx, time.Minute, "delete", "pod", pod, "-n", s.ClientNamespace, "--ignore-not-found", "--wait=false")
	}()
	if err != nil {
		return fail("kubectl run %s: %v", pod, err)
	}

	phase, err := e.waitPodDone(ctx, s.ClientNamespace, pod)
	if err != nil {
		return fail("throwaway pod %s did not finish: %v", pod, err)
	}
	logs, err := e.kubectl(ctx, time.Minute, "logs", pod, "-n", s.ClientNamespace)
	if err != nil {
		return fail("kubectl logs %s: %v", pod, err)
	}
	// A finished pod's log has stderr and stdout interleaved; curl's verbose lines are still recognisable.
	evidence, ok, reason := blocked(logs.Stdout + logs.Stderr)
	if !ok {
		return fail("as sa/%s: %s", OtherServiceAccount, reason)
	}
	if phase != "Failed" {
		return fail("as sa/%s: curl reported %q but the pod %s, so its exit status disagrees", OtherServiceAccount, evidence, phase)
	}
	return pass("sa/%s refused: %s", OtherServiceAccount, evidence)
}

// waitPodDone polls the pod's phase until it has Succeeded or Failed.
func (e *Env) waitPodDone(ctx context.Context, namespace, pod string) (string, error) {
	phase := "unknown"
	for i := 0; i < l4PodPolls; i++ {
		if i > 0 {
			if err := e.Sleep(ctx, l4PodInterval); err != nil {
				return "", fmt.Errorf("%w (phase %s)", err, phase)
			}
		}
		out, err := e.kubectl(ctx, 30*time.Second, "get", "pod", pod, "-n", namespace, "-o", "jsonpath={.status.phase}")
		if err != nil {
			continue
		}
		phase = out.Stdout
		if phase == "Succeeded" || phase == "Failed" {
			return phase, nil
		}
	}
	return "", fmt.Errorf("still %s after %s", phase, time.Duration(l4PodPolls)*l4PodInterval)
}
