package verify

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// Headroom added to curl's own --max-time before the kubectl around it is killed: pod exec setup is not free.
const execHeadroom = 30 * time.Second

// logTail bounds log reads. kubectl logs with a selector shows only 10 lines unless told otherwise.
const logTail = "2000"

// kubectl runs kubectl against the stack's cluster with a deadline.
func (e *Env) kubectl(ctx context.Context, timeout time.Duration, args ...string) (Output, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	return e.Runner.Run(ctx, "kubectl", append([]string{"--kubeconfig", e.Kubeconfig}, args...)...)
}

// docker runs a docker command with a deadline.
func (e *Env) docker(ctx context.Context, timeout time.Duration, args ...string) (Output, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	return e.Runner.Run(ctx, "docker", args...)
}

// clientCurl runs curl -sSv inside the test client. maxTime is curl's own limit in seconds.
func (e *Env) clientCurl(ctx context.Context, maxTime int, curlArgs ...string) (Output, error) {
	s := e.Spec
	args := []string{"exec", "deploy/" + s.ClientDeployment, "-n", s.ClientNamespace, "-c", s.ClientContainer,
		"--", "curl", "-sSv", "--max-time", strconv.Itoa(maxTime)}
	return e.kubectl(ctx, time.Duration(maxTime)*time.Second+execHeadroom, append(args, curlArgs...)...)
}

// response turns a curl run into a Response. A non-zero exit after a response was read still counts as failure:
// the body may be cut short.
func response(out Output, runErr error) (Response, error) {
	resp, err := ParseCurl(out.Stderr, out.Stdout)
	switch {
	case err != nil && runErr == nil:
		return Response{}, err
	case err != nil && CurlError(out.Stderr) != "":
		// curl ran and said why; the exit code is all kubectl adds.
		return Response{}, fmt.Errorf("%w (exit code %d)", err, exitCode(runErr))
	case err != nil:
		// curl probably never ran: kubectl's own error is the story (pod missing, cluster unreachable).
		return Response{}, fmt.Errorf("%w (%v)", err, runErr)
	}
	if runErr != nil {
		return Response{}, fmt.Errorf("curl failed after a %d response: %v", resp.Status, runErr)
	}
	return resp, nil
}

// Curl exit codes that mean "the network would not carry this", which is what a blocked path looks like:
// 7 connect refused, 28 timed out, 52 empty reply, 55 send failure, 56 receive failure (reset).
var blockedCodes = map[int]bool{7: true, 28: true, 52: true, 55: true, 56: true}

// blocked decides a "must not get through" request. It passes only on positive evidence that curl ran and its
// connection failed, so a kubectl failure (pod missing, wrong kubeconfig) can never read as a block.
func blocked(output string) (evidence string, ok bool, reason string) {
	resp, err := ParseCurl(output, "")
	if err == nil {
		return "", false, fmt.Sprintf("got HTTP %d %s: the request got through", resp.Status, resp.Reason)
	}
	if !errors.Is(err, ErrNoResponse) {
		return "", false, fmt.Sprintf("cannot read curl output: %v", err)
	}
	msg := CurlError(output)
	if msg == "" {
		return "", false, fmt.Sprintf("no curl error in the output, so curl may never have run: %s", snippet(lastLine(output)))
	}
	var curlCode int
	if _, err := fmt.Sscanf(msg, "curl: (%d)", &curlCode); err != nil || !blockedCodes[curlCode] {
		return "", false, fmt.Sprintf("curl failed, but not with a connection failure: %s", msg)
	}
	return msg, true, ""
}

// logs reads recent logs of the pods matching selector (every pod, so a second replica cannot hide the line).
func (e *Env) logs(ctx context.Context, namespace, selector, container string) (string, error) {
	args := []string{"logs", "-n", namespace, "-l", selector, "--tail", logTail, "--max-log-requests", "10"}
	if container != "" {
		args = append(args, "-c", container)
	}
	out, err := e.kubectl(ctx, time.Minute, args...)
	if err != nil {
		return "", fmt.Errorf("kubectl logs -n %s -l %s: %w", namespace, selector, err)
	}
	return out.Stdout, nil
}

// pollLogs reads logs until find succeeds or the polls run out, returning find's last error. Access logs are
// flushed on a timer, so the line for a request just made may not be there on the first read; that, and a read
// that failed for a reason that can pass, are retried. A read that cannot succeed by waiting (no such tool, the
// Docker daemon down, no such container, credentials refused) ends the polling at once.
func (e *Env) pollLogs(ctx context.Context, read func(context.Context) (string, error), find func(string) error) error {
	var last error
	for i := 0; i < max(e.LogPolls, 1); i++ {
		if i > 0 {
			if err := e.Sleep(ctx, e.PollInterval); err != nil {
				return fmt.Errorf("%w (last: %v)", err, last)
			}
		}
		logs, err := read(ctx)
		if err != nil {
			if last = err; permanent(err) {
				return err
			}
			continue
		}
		if last = find(logs); last == nil {
			return nil
		}
	}
	return last
}

// Messages of read failures that waiting does not fix: the Docker CLI's "Cannot connect to the Docker daemon"
// and "No such container", kubectl's credential and kubeconfig errors.
var permanentMessages = []string{
	"cannot connect to the docker daemon",
	"no such container",
	"error from server (forbidden)",
	"unauthorized",
	"you must be logged in",
	"invalid configuration",
}

// permanent reports whether a log read failed in a way the next poll would repeat.
func permanent(err error) bool {
	if errors.Is(err, exec.ErrNotFound) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	msg := strings.ToLower(err.Error())
	for _, m := range permanentMessages {
		if strings.Contains(msg, m) {
			return true
		}
	}
	return false
}

// withQuery adds q to rawURL's query, to tag one request so its log line can be told from every other.
func withQuery(rawURL, q string) string {
	sep := "?"
	if strings.Contains(rawURL, "?") {
		sep = "&"
	}
	return rawURL + sep + q
}

// cleanupContext outlives a cancelled parent: undoing a change (unpause, delete) must still run after Ctrl-C.
func cleanupContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
}

// snippet shortens s for one line of evidence.
func snippet(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 120 {
		return s[:117] + "..."
	}
	return s
}
