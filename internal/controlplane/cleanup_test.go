package controlplane

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/egress-mesh/egress-mesh/internal/controlplane/proctest"
)

// TestCleanupStopsEverything runs a control plane inside a test that fails, then checks that its cleanup left no
// process and no temp dir. The same scan finds both servers while they run, so the check can fail.
func TestCleanupStopsEverything(t *testing.T) {
	skipShort(t)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp) // Start's temp dir lands here, so leftovers are easy to find

	fake := &proctest.FakeTB{TB: t}
	var c *ControlPlane
	fake.Run(func(tb testing.TB) {
		c = Start(tb)
		tb.Errorf("the test body fails; cleanup must still run")
	}, func() {
		require.NotNil(t, c)
		assert.Len(t, proctest.ProcessesUsing(t, c.dir), 2, "etcd and kube-apiserver should be running now")
		assert.DirExists(t, c.dir)
	})
	require.NotNil(t, c)

	assert.Empty(t, proctest.ProcessesUsing(t, c.dir), "processes left running")
	assert.NoDirExists(t, c.dir)
	proctest.AssertNoLeftovers(t, tmp)
}

// TestFailedStartCleansUp makes kube-apiserver exit at once (/bin/false) after etcd is up: Start must fail fast
// with the log, and its cleanup must stop the etcd that did start.
func TestFailedStartCleansUp(t *testing.T) {
	skipShort(t)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	t.Setenv(EnvKubeAPIServer, "/bin/false")

	fake := &proctest.FakeTB{TB: t}
	var etcdRunning []int
	fake.Run(func(tb testing.TB) {
		Start(tb)
		t.Error("Start returned although kube-apiserver exited")
	}, func() {
		etcdRunning = proctest.ProcessesUsing(t, tmp)
	})

	require.Len(t, fake.Failures(), 1)
	assert.Contains(t, fake.Failures()[0], "kube-apiserver wrote no serving cert")
	assert.Contains(t, fake.Failures()[0], "process exited: exit status 1")
	assert.Len(t, etcdRunning, 1, "etcd should have been running before cleanup")
	proctest.AssertNoLeftovers(t, tmp)
}

// TestMissingBinaryTellsHowToBuild needs no servers, so it also runs with -short.
func TestMissingBinaryTellsHowToBuild(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	t.Setenv(EnvEtcd, "/nonexistent/etcd")
	t.Setenv(EnvKubeAPIServer, "/bin/false") // present, so the etcd lookup is what fails

	fake := &proctest.FakeTB{TB: t}
	fake.Run(func(tb testing.TB) { Start(tb) }, func() {})

	require.Len(t, fake.Failures(), 1)
	assert.Contains(t, fake.Failures()[0], "/nonexistent/etcd")
	assert.Contains(t, fake.Failures()[0], "run hack/controlplane-binaries.sh")
	assert.Contains(t, fake.Failures()[0], EnvEtcd)
	proctest.AssertNoLeftovers(t, tmp)
}
