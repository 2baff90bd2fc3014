// Package proctest holds what the proof harnesses' own tests share: a stand-in for a failing test, to check that
// cleanup still runs, and a scan for processes left behind.
package proctest

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/mod/modfile"
)

// SkipShort skips a heavy check under -short, saying what was skipped and how to run it, never silently.
func SkipShort(t testing.TB, what string) {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: " + what + " was skipped; run without -short after make toolchain")
	}
}

// ProcessesUsing lists live processes whose command line mentions path: the servers all take flags under their
// temp dir, so any hit after cleanup is a leaked process.
func ProcessesUsing(t testing.TB, path string) []int {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	require.NoError(t, err)
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil { // exited while listing
			continue
		}
		stat, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if isZombie(stat) {
			continue
		}
		if bytes.Contains(cmdline, []byte(path)) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// isZombie reads the state field of /proc/PID/stat ("pid (comm) S ..."); a zombie has exited but not been reaped.
func isZombie(stat []byte) bool {
	i := bytes.LastIndexByte(stat, ')')
	return i >= 0 && len(stat) > i+2 && stat[i+2] == 'Z'
}

// AssertNoLeftovers checks that tmp (the TMPDIR a harness ran under) is empty and no process still uses it.
func AssertNoLeftovers(t testing.TB, tmp string) {
	t.Helper()
	entries, err := os.ReadDir(tmp)
	require.NoError(t, err)
	assert.Empty(t, entries, "temp dirs left behind")
	assert.Empty(t, ProcessesUsing(t, tmp), "processes left running")
}

// FakeTB stands in for a test that fails: Fatal ends the goroutine like testing.T does, and cleanups run only
// when the test says so, so the test can inspect what a failing Start left behind.
type FakeTB struct {
	testing.TB // the real test, for Logf/Helper/TempDir; its Fatal/Cleanup are shadowed below
	mu         sync.Mutex
	cleanups   []func()
	failures   []string
}

func (f *FakeTB) Cleanup(fn func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cleanups = append(f.cleanups, fn)
}

func (f *FakeTB) Errorf(format string, args ...any) { f.fail(fmt.Sprintf(format, args...)) }
func (f *FakeTB) Fatal(args ...any)                 { f.fail(fmt.Sprint(args...)); runtime.Goexit() }
func (f *FakeTB) Fatalf(format string, args ...any) {
	f.fail(fmt.Sprintf(format, args...))
	runtime.Goexit()
}

func (f *FakeTB) Failed() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.failures) > 0
}

// Failures returns the messages of every Errorf/Fatal so far.
func (f *FakeTB) Failures() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.failures...)
}

func (f *FakeTB) fail(msg string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failures = append(f.failures, msg)
}

// Run calls body like a test body (Fatal stops it), then inspect (as if at the end of the test, before cleanup),
// then the cleanups in reverse order, as testing does.
func (f *FakeTB) Run(body func(tb testing.TB), inspect func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		body(f)
	}()
	<-done
	inspect()
	for i := len(f.cleanups) - 1; i >= 0; i-- {
		f.cleanups[i]()
	}
}

// RequiredVersion is the version tools/TOOL/go.mod (from the repository root, root) requires of module, so pins in
// versions.go can be kept equal to what the build scripts derive from those files.
func RequiredVersion(t testing.TB, root, tool, module string) string {
	t.Helper()
	path := filepath.Join(root, "tools", tool, "go.mod")
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	f, err := modfile.Parse(path, b, nil)
	require.NoError(t, err)
	for _, r := range f.Require {
		if r.Mod.Path == module {
			return r.Mod.Version
		}
	}
	t.Fatalf("%s does not require %s", path, module)
	return ""
}
