package conformance

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/egress-mesh/egress-mesh/internal/controlplane"
)

// LockFile is the repository-relative path of the list that pins every schema input.
const LockFile = "conformance/schemas.lock"

// fetchHint ends every schema-source error: the only fix is fetching the pinned files again.
const fetchHint = "run `make crds` to download the pinned CRDs and chart values"

// Schemas are the verified CRD and chart files the validators read.
type Schemas struct {
	// Dir is the directory the files were found in (cache, EGRESS_MESH_SHARED or ../shared).
	Dir string
	// CRDFiles are absolute paths of every pinned CRD file, sorted.
	CRDFiles []string
	// ChartValues maps "chart@version" (directory names under charts/) to the values.yaml path.
	ChartValues map[string]string
	// Files maps every lock path (e.g. "charts/kyverno/3.5.3/charts/crds/values.yaml") to its verified absolute path.
	Files map[string]string
}

// LockEntry is one line of the lock file.
type LockEntry struct {
	Path, SHA256, URL string
}

// LocateSchemas finds the pinned files and verifies their sha256 against conformance/schemas.lock.
// Order: $EGRESS_MESH_SHARED, then the `make crds` cache, then ../shared beside the repository root.
// The first directory that exists must be complete and intact: falling through to another copy would
// hide a stale or tampered cache.
func LocateSchemas() (*Schemas, error) {
	root, err := controlplane.RepoRoot()
	if err != nil {
		return nil, fmt.Errorf("conformance: %w; %s", err, fetchHint)
	}
	entries, err := ReadLock(filepath.Join(root, LockFile))
	if err != nil {
		return nil, err
	}
	var candidates []string
	if env := os.Getenv("EGRESS_MESH_SHARED"); env != "" {
		candidates = append(candidates, env)
	} else {
		if c, err := CacheDir(); err == nil {
			candidates = append(candidates, c)
		}
		candidates = append(candidates, filepath.Join(filepath.Dir(root), "shared"))
	}
	for _, dir := range candidates {
		if st, err := os.Stat(dir); err == nil && st.IsDir() {
			return LoadSchemas(dir, entries)
		}
	}
	return nil, fmt.Errorf("conformance: no schema directory found (tried %s); %s", strings.Join(candidates, ", "), fetchHint)
}

// CacheDir is where hack/fetch-schemas.sh stores the pinned files.
func CacheDir() (string, error) {
	base := os.Getenv("XDG_CACHE_HOME")
	if base == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", err
		}
		base = filepath.Join(home, ".cache")
	}
	return filepath.Join(base, "egress-mesh", "schemas"), nil
}

// LoadSchemas verifies every lock entry under dir and indexes the files.
func LoadSchemas(dir string, entries []LockEntry) (*Schemas, error) {
	s := &Schemas{Dir: dir, ChartValues: map[string]string{}, Files: map[string]string{}}
	var problems []string
	for _, e := range entries {
		p := filepath.Join(dir, filepath.FromSlash(e.Path))
		got, err := fileSHA256(p)
		switch {
		case err != nil:
			problems = append(problems, fmt.Sprintf("%s: %v", e.Path, err))
			continue
		case got != e.SHA256:
			problems = append(problems, fmt.Sprintf("%s: sha256 %s, want %s", e.Path, got, e.SHA256))
			continue
		}
		s.Files[e.Path] = p
		parts := strings.Split(e.Path, "/")
		switch {
		case parts[0] == "crds":
			s.CRDFiles = append(s.CRDFiles, p)
		case parts[0] == "charts" && len(parts) == 4 && parts[3] == "values.yaml":
			s.ChartValues[parts[1]+"@"+parts[2]] = p
		}
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("conformance: schema files in %s do not match %s:\n  %s\n%s",
			dir, LockFile, strings.Join(problems, "\n  "), fetchHint)
	}
	sort.Strings(s.CRDFiles)
	return s, nil
}

// ReadLock parses the lock file: "<path> <sha256> <url>" per line, '#' comments.
func ReadLock(path string) ([]LockEntry, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("conformance: %w; %s", err, fetchHint)
	}
	defer f.Close()
	var out []LockEntry
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) != 3 || len(fields[1]) != 64 {
			return nil, fmt.Errorf("conformance: %s:%d: want \"<path> <sha256> <url>\"", path, n)
		}
		out = append(out, LockEntry{Path: fields[0], SHA256: fields[1], URL: fields[2]})
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("conformance: %s lists no files", path)
	}
	return out, nil
}

func fileSHA256(p string) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
