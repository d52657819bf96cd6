package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReadMicro(t *testing.T) {
	out := `goos: linux
pkg: example
BenchmarkConvertEncode/1KiB/all-2   	 638	 594855 ns/op	  38.43 MB/s	 16181 B/span	 120.5 allocs/span	 42490 ns/span
BenchmarkConvertEncode/1KiB/all-2   	 640	 594000 ns/op	  38.50 MB/s	 16181 B/span	 120.5 allocs/span	 42000 ns/span
BenchmarkConvertEncode/1KiB/all-2   	 641	 594000 ns/op	  38.50 MB/s	 16181 B/span	 120.5 allocs/span	 41000 ns/span
BenchmarkConvertEncode/64KiB/all-2  	 10	 1000 ns/op
BenchmarkConvertEncode/1KiB/mlflow-2 	 10	 1000 ns/op
BenchmarkClassify-2   	  352420	        68.35 ns/op	       2 B/op	       0 allocs/op
PASS
`
	path := filepath.Join(t.TempDir(), "micro.txt")
	require.NoError(t, os.WriteFile(path, []byte(out), 0o600))
	m, err := readMicro(path)
	require.NoError(t, err)
	v, ok := m.median("BenchmarkConvertEncode/1KiB/all", "ns/span")
	assert.True(t, ok)
	assert.InDelta(t, 42000, v, 0.1)
	_, ok = m.median("BenchmarkConvertEncode/1KiB/all", "cpu-ns/span")
	assert.False(t, ok)
	v, _ = m.median("BenchmarkClassify", "allocs/op")
	assert.Zero(t, v)
	assert.Equal(t, []string{"BenchmarkConvertEncode/1KiB/all", "BenchmarkConvertEncode/1KiB/mlflow", "BenchmarkConvertEncode/64KiB/all"},
		m.names("BenchmarkConvertEncode/"))
}
