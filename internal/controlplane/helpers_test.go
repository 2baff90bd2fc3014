package controlplane

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

func skipShort(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: the kube-apiserver check was skipped (it starts etcd and kube-apiserver; " +
			"run without -short after hack/controlplane-binaries.sh)")
	}
}

// obj parses one YAML manifest, so test fixtures read like what a cluster would receive.
func obj(t *testing.T, manifest string) *unstructured.Unstructured {
	t.Helper()
	u := &unstructured.Unstructured{}
	require.NoError(t, yaml.Unmarshal([]byte(manifest), &u.Object))
	return u
}

// processesUsing lists live processes whose command line mentions path: the servers all take flags under their
// temp dir, so any hit after cleanup is a leaked process.
func processesUsing(t *testing.T, path string) []int {
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

// fakeTB stands in for a test that fails: Fatal ends the goroutine like testing.T does, and cleanups run only
// when the test says so, so the test can inspect what a failing Start left behind.
type fakeTB struct {
	testing.TB // the real test, for Logf/Helper/TempDir; its Fatal/Cleanup are shadowed below
	mu         sync.Mutex
	cleanups   []func()
	failures   []string
}

func (f *fakeTB) Cleanup(fn func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cleanups = append(f.cleanups, fn)
}

func (f *fakeTB) Errorf(format string, args ...any) { f.fail(fmt.Sprintf(format, args...)) }
func (f *fakeTB) Fatal(args ...any)                 { f.fail(fmt.Sprint(args...)); runtime.Goexit() }
func (f *fakeTB) Fatalf(format string, args ...any) {
	f.fail(fmt.Sprintf(format, args...))
	runtime.Goexit()
}

func (f *fakeTB) Failed() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.failures) > 0
}

func (f *fakeTB) fail(msg string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failures = append(f.failures, msg)
}

// run calls body like a test body (Fatal stops it), then inspect (as if at the end of the test, before cleanup),
// then the cleanups in reverse order, as testing does.
func (f *fakeTB) run(body func(tb testing.TB), inspect func()) {
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
