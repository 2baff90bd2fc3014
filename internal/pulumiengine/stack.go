package pulumiengine

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
)

// Stack is one stack of a program on the Engine.
type Stack struct {
	stack   auto.Stack
	engine  *Engine
	program string // the prebuilt program the language host runs
}

// SetConfig sets config values (secret ones stay encrypted in the stack's config).
func (s *Stack) SetConfig(ctx context.Context, config auto.ConfigMap) error {
	if len(config) == 0 {
		return nil
	}
	// Path: keys like "egress-mesh:destinations[0].host" address into structured values, as `pulumi config set --path`.
	if err := s.stack.SetAllConfigWithOptions(ctx, config, &auto.ConfigOptions{Path: true}); err != nil {
		return fmt.Errorf("setting config of stack %s: %w", s.stack.Name(), err)
	}
	return nil
}

// Preview is what `pulumi preview --diff` shows (Diff) and the engine's count of steps by operation.
type Preview struct {
	Diff    string
	Changes map[apitype.OpType]int
	Events  []Event
}

// Preview runs `pulumi preview --diff`.
func (s *Stack) Preview(ctx context.Context) (Preview, error) { return s.preview(ctx, "preview") }

// PreviewExpectNoChanges runs `pulumi preview --expect-no-changes`; it fails when the engine plans any change.
func (s *Stack) PreviewExpectNoChanges(ctx context.Context) (Preview, error) {
	return s.preview(ctx, "preview --expect-no-changes", optpreview.ExpectNoChanges())
}

func (s *Stack) preview(ctx context.Context, what string, opts ...optpreview.Option) (Preview, error) {
	rec := newRecorder()
	var out bytes.Buffer
	opts = append(opts, optpreview.Diff(), optpreview.ProgressStreams(&out), optpreview.Color("never"),
		optpreview.EventStreams(rec.channel()))
	res, err := s.stack.Preview(ctx, opts...)
	p := Preview{Diff: out.String(), Changes: res.ChangeSummary, Events: rec.wait()}
	if err != nil {
		return p, fmt.Errorf("%s of %s: %w\n%s", what, s.stack.Name(), err, out.String())
	}
	return p, nil
}

// Update is the result of `up` or `destroy`: the engine's summary and the event log with arrival times.
type Update struct {
	Output  string
	Changes map[string]int
	Events  []Event
	Wall    time.Duration
}

// Up runs `pulumi up --yes --skip-preview`.
func (s *Stack) Up(ctx context.Context) (Update, error) {
	return s.update(ctx, "up", func(out io.Writer, ch chan<- events.EngineEvent) (auto.UpdateSummary, error) {
		res, err := s.stack.Up(ctx, optup.ProgressStreams(out), optup.Color("never"), optup.EventStreams(ch))
		return res.Summary, err
	})
}

// Destroy runs `pulumi destroy --yes`.
func (s *Stack) Destroy(ctx context.Context) (Update, error) {
	return s.update(ctx, "destroy", func(out io.Writer, ch chan<- events.EngineEvent) (auto.UpdateSummary, error) {
		res, err := s.stack.Destroy(ctx, optdestroy.ProgressStreams(out), optdestroy.Color("never"),
			optdestroy.EventStreams(ch))
		return res.Summary, err
	})
}

func (s *Stack) update(ctx context.Context, what string,
	run func(out io.Writer, ch chan<- events.EngineEvent) (auto.UpdateSummary, error)) (Update, error) {
	rec := newRecorder()
	var out bytes.Buffer
	began := time.Now()
	summary, err := run(&out, rec.channel())
	u := Update{Output: out.String(), Events: rec.wait(), Wall: time.Since(began)}
	if summary.ResourceChanges != nil {
		u.Changes = *summary.ResourceChanges
	}
	if err != nil {
		return u, fmt.Errorf("%s of %s: %w\n%s", what, s.stack.Name(), err, out.String())
	}
	return u, nil
}

// Export is `pulumi stack export`: the raw checkpoint JSON (secrets stay ciphertext) and its parsed resources.
type Export struct {
	Raw       []byte
	Resources []apitype.ResourceV3
}

// Export runs `pulumi stack export`. The CLI is run directly: the Automation API's ExportStack adds --show-secrets.
func (s *Stack) Export(ctx context.Context) (Export, error) {
	out, err := s.engine.cli("stack", "export", "--stack", s.stack.Name(), "--cwd", s.stack.Workspace().WorkDir())
	if err != nil {
		return Export{}, fmt.Errorf("export of %s: %w\n%s", s.stack.Name(), err, out)
	}
	var d apitype.UntypedDeployment
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		return Export{}, fmt.Errorf("parsing the export of %s: %w", s.stack.Name(), err)
	}
	var dep apitype.DeploymentV3
	if err := json.Unmarshal(d.Deployment, &dep); err != nil {
		return Export{}, fmt.Errorf("parsing the export of %s: %w", s.stack.Name(), err)
	}
	return Export{Raw: d.Deployment, Resources: dep.Resources}, nil
}

// ExportShowingSecrets is `pulumi stack export --show-secrets`: the state with secrets decrypted, which shows
// what the state holds (tests use it as the control for a check that the plain export hides them).
func (s *Stack) ExportShowingSecrets(ctx context.Context) (string, error) {
	out, err := s.engine.cli("stack", "export", "--show-secrets", "--stack", s.stack.Name(), "--cwd", s.stack.Workspace().WorkDir())
	if err != nil {
		return "", fmt.Errorf("export --show-secrets of %s: %w\n%s", s.stack.Name(), err, out)
	}
	return out, nil
}

// Event is one engine event with the time this process received it: the engine's own timestamps have
// one-second resolution, too coarse for resources that take milliseconds.
type Event struct {
	At time.Time
	apitype.EngineEvent
}

// eventRecorder collects the engine's event stream; the Automation API closes the channel when the operation ends.
type eventRecorder struct {
	ch     chan events.EngineEvent
	done   chan struct{}
	mu     sync.Mutex
	events []Event
}

func newRecorder() *eventRecorder {
	r := &eventRecorder{ch: make(chan events.EngineEvent, 256), done: make(chan struct{})}
	go func() {
		defer close(r.done)
		for ev := range r.ch {
			r.mu.Lock()
			r.events = append(r.events, Event{At: time.Now(), EngineEvent: ev.EngineEvent})
			r.mu.Unlock()
		}
	}()
	return r
}

func (r *eventRecorder) channel() chan<- events.EngineEvent { return r.ch }

func (r *eventRecorder) wait() []Event {
	select {
	case <-r.done:
	case <-time.After(10 * time.Second): // the operation failed before the stream was opened
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Event(nil), r.events...)
}
