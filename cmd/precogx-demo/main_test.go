package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precogxai/precogx-otel/internal/testbed"
)

func TestParseFlags(t *testing.T) {
	o, err := parseFlags(nil, &bytes.Buffer{})
	require.NoError(t, err)
	assert.Equal(t, 5, o.agents)
	assert.Equal(t, 4, o.planLimit, "the default plan must refuse one of the default agents")
	assert.Equal(t, 20*time.Second, o.duration)

	for _, bad := range [][]string{{"--agents", "0"}, {"--duration", "0s"}, {"--rate", "-1"}, {"--plan-limit", "-1"}, {"--nope"}} {
		_, err := parseFlags(bad, &bytes.Buffer{})
		assert.Error(t, err, "%v", bad)
	}
}

func TestRunNeedsTheCollector(t *testing.T) {
	err := run(context.Background(), []string{"--collector", filepath.Join(t.TempDir(), "missing")}, &bytes.Buffer{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "make build")
}

// TestRunPrintsTheTable runs a short demo through the built collector (as
// `make run` does, with fewer seconds) and checks the table it prints.
func TestRunPrintsTheTable(t *testing.T) {
	bin := os.Getenv(testbed.CollectorBinEnv)
	if bin == "" {
		t.Skipf("%s is not set: run `make test`, which builds the collector first", testbed.CollectorBinEnv)
	}
	t.Setenv("PRECOGX_API_KEY", "")
	out := &bytes.Buffer{}
	err := run(context.Background(), []string{
		"--collector", bin, "--config", "../../testdata/demo.yaml",
		"--agents", "3", "--plan-limit", "2", "--duration", "3s", "--rate", "4", "--out", t.TempDir(),
	}, out)
	require.NoError(t, err, out.String())
	text := out.String()

	// One row per agent: the two admitted agents lose nothing, the third is
	// refused by the plan and everything it sent shows as dropped.
	row := regexp.MustCompile(`(?m)^\s*(\S+)\s+(\S+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*$`)
	rows := row.FindAllStringSubmatch(text, -1)
	require.Len(t, rows, 3, text)
	refused := 0
	for _, r := range rows {
		expected, received, dropped := r[5], r[6], r[10]
		if received == "0" {
			refused++
			assert.Equal(t, expected, dropped, "refused agent %s: %s", r[1], text)
		} else {
			assert.Equal(t, expected, received, "admitted agent %s: %s", r[1], text)
			assert.Equal(t, "0", dropped, text)
		}
	}
	assert.Equal(t, 1, refused, text)
	assert.True(t, strings.Contains(text, "demo-interactions.jsonl"), text)
	assert.Contains(t, text, "stopped")
}
