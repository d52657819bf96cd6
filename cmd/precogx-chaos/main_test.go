package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/precogxai/precogx-otel/internal/chaos"
)

func TestParseFlagsDefaults(t *testing.T) {
	o, err := parseFlags(nil, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, 5, o.cfg.Agents)
	assert.Equal(t, 20000, o.cfg.Interactions)
	assert.Equal(t, []string{"testdata/production.yaml", "testdata/e2e-chaos.yaml"}, o.cfg.Configs)
	assert.Equal(t, len(chaos.FullSchedule()), len(o.cfg.Schedule))
	assert.True(t, strings.HasPrefix(o.cfg.WorkDir, "_out/chaos-"), o.cfg.WorkDir)
	assert.Zero(t, o.cfg.Soak)
}

func TestParseFlagsShortAndSoak(t *testing.T) {
	o, err := parseFlags([]string{"--short", "--interactions", "3000", "--work", "/tmp/x", "--soak", "30m"}, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, len(chaos.ShortSchedule()), len(o.cfg.Schedule))
	assert.Equal(t, 3000, o.cfg.Interactions)
	assert.Equal(t, "/tmp/x", o.cfg.WorkDir)
	assert.Equal(t, "30m0s", o.cfg.Soak.String())

	o, err = parseFlags([]string{"--short"}, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, 2000, o.cfg.Interactions)
	o, err = parseFlags([]string{"--short", "--interactions", "20000"}, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, 20000, o.cfg.Interactions)

	_, err = parseFlags([]string{"extra"}, io.Discard)
	assert.ErrorContains(t, err, "unexpected arguments")
	_, err = parseFlags([]string{"-h"}, io.Discard)
	assert.True(t, errors.Is(err, flag.ErrHelp))
}

func TestRunNeedsTheCollector(t *testing.T) {
	err := run(context.Background(), []string{"--collector", "/nonexistent/otelcol"}, io.Discard, io.Discard)
	assert.ErrorContains(t, err, "make build")
}

func TestVerdict(t *testing.T) {
	ok := chaos.Result{Tally: chaos.Tally{Expected: 1000, Delivered: 1000, Duplicates: 9}}
	assert.NoError(t, verdict(ok))

	lost := ok
	lost.Tally.Lost = []string{"t-s"}
	assert.ErrorContains(t, verdict(lost), "1 interactions lost (first: t-s)")

	dups := ok
	dups.Tally.Duplicates = 10
	assert.ErrorContains(t, verdict(dups), "duplicates 1.00%")

	agents := ok
	agents.AgentError = errors.New("3 spans were not exported")
	assert.ErrorContains(t, verdict(agents), "3 spans")
}
