package verify

import (
	"errors"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWriteKubeconfigIsPrivateAndRemovable(t *testing.T) {
	path, cleanup, err := WriteKubeconfig("apiVersion: v1\nkind: Config\n")
	require.NoError(t, err)
	st, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), st.Mode().Perm())
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "apiVersion: v1\nkind: Config\n", string(b))

	cleanup()
	_, err = os.Stat(path)
	assert.True(t, errors.Is(err, os.ErrNotExist))
}
