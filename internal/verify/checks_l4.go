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
	logs, phase, err := e.curlPod(ctx, s.ClientNamespace, OtherServiceAccount,
		"-H", "Host: "+s.HostHeader, "-H", s.AuthzHeader+": true", s.GatewayURL)
	if err != nil {
		return fail("%v", err)
	}
	evidence, ok, reason := blocked(logs)
	if !ok {
		return fail("as sa/%s: %s", OtherServiceAccount, reason)
	}
	if phase != "Failed" {
		return fail("as sa/%s: curl reported %q but the pod %s, so its exit status disagrees", OtherServiceAccount, evidence, phase)
	}
	return pass("sa/%s refused: %s", OtherServiceAccount, evidence)
}

// curlPod runs `curl -sSv --max-time 10 curlArgs...` once in a throwaway pod (the client's image) in namespace
// under serviceAccount, waits for it to finish and returns its log (stderr and stdout interleaved; curl's verbose
// lines stay recognisable) and final phase. The pod is deleted on every way out.
func (e *Env) curlPod(ctx context.Context, namespace, serviceAccount string, curlArgs ...string) (logs, phase string, err error) {
	s := e.Spec
	img, err := e.kubectl(ctx, time.Minute, "get", "deploy/"+s.ClientDeployment, "-n", s.ClientNamespace, "-o",
		fmt.Sprintf(`jsonpath={.spec.template.spec.containers[?(@.name=="%s")].image}`, s.ClientContainer))
	if err != nil || img.Stdout == "" {
		return "", "", fmt.Errorf("cannot read the client's image (deploy/%s container %s): %v", s.ClientDeployment, s.ClientContainer, err)
	}

	pod := "egress-verify-" + e.Nonce()
	overrides := fmt.Sprintf(`{"apiVersion":"v1","spec":{"serviceAccountName":%q}}`, serviceAccount)
	args := append([]string{"run", pod, "-n", namespace, "--image", img.Stdout,
		"--restart", "Never", "--labels", "app.kubernetes.io/name=egress-verify", "--overrides", overrides,
		"--command", "--", "curl", "-sSv", "--max-time", "10"}, curlArgs...)
	_, err = e.kubectl(ctx, time.Minute, args...)
	defer func() {
		cctx, cancel := cleanupContext(ctx)
		defer cancel()
		_, _ = e.kubectl(cctx, time.Minute, "delete", "pod", pod, "-n", namespace, "--ignore-not-found", "--wait=false")
	}()
	if err != nil {
		return "", "", fmt.Errorf("kubectl run %s: %v", pod, err)
	}
	if phase, err = e.waitPodDone(ctx, namespace, pod); err != nil {
		return "", "", fmt.Errorf("throwaway pod %s did not finish: %v", pod, err)
	}
	out, err := e.kubectl(ctx, time.Minute, "logs", pod, "-n", namespace)
	if err != nil {
		return "", "", fmt.Errorf("kubectl logs %s: %v", pod, err)
	}
	return out.Stdout + out.Stderr, phase, nil
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
