package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/precogxai/precogx-otel/internal/agentsim"
)

// settings is everything the command line decides.
type settings struct {
	cfg        agentsim.Config
	expectOut  string        // JSONL file of expectations, "" for none
	progressIn time.Duration // 0 disables progress lines
}

// parseFlags reads args; usage and errors go to stderr. The error is
// flag.ErrHelp for -h.
func parseFlags(args []string, stderr io.Writer) (settings, error) {
	var s settings
	fs := flag.NewFlagSet("agentsim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "agentsim sends GenAI traces of simulated AI agents over OTLP/HTTP.")
		fmt.Fprintln(stderr, "Usage: agentsim [flags]")
		fs.PrintDefaults()
	}

	fs.StringVar(&s.cfg.Endpoint, "endpoint", "http://127.0.0.1:4318", "OTLP/HTTP base URL; traces go to its /v1/traces")
	fs.IntVar(&s.cfg.Agents, "agents", 5, "number of agents, each its own service.name")
	conventions := fs.String("conventions", "all", "comma-separated conventions assigned round-robin: "+joined(agentsim.AllConventions()))
	scenarios := fs.String("scenarios", "all", "comma-separated scenarios to mix: "+joined(agentsim.AllScenarios()))
	fs.Float64Var(&s.cfg.Rate, "rate", 0, "traces per second per agent; 0 sends as fast as the endpoint accepts")
	fs.DurationVar(&s.cfg.Duration, "duration", 0, "stop after this long; 0 for no time limit")
	fs.IntVar(&s.cfg.Traces, "traces", 10, "traces per agent; 0 for no count limit (then set --duration)")
	fs.Int64Var(&s.cfg.Seed, "seed", 1, "seed of the scenario mix and content")
	fs.StringVar(&s.cfg.Environment, "environment", "", "deployment.environment.name of every agent (optional)")
	fs.StringVar(&s.expectOut, "expect-out", "", "write the expected interactions to this file as JSON lines")
	fs.DurationVar(&s.progressIn, "progress", time.Second, "interval of progress lines; 0 disables them")
	fs.Func("header", "header k=v sent with every export request (repeatable)", func(v string) error {
		k, val, ok := strings.Cut(v, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return errors.New("want k=v")
		}
		if s.cfg.Headers == nil {
			s.cfg.Headers = map[string]string{}
		}
		s.cfg.Headers[strings.TrimSpace(k)] = val
		return nil
	})

	if err := fs.Parse(args); err != nil {
		return s, err
	}
	if fs.NArg() > 0 {
		return s, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	var err error
	if s.cfg.Conventions, err = agentsim.ParseConventions(*conventions); err != nil {
		return s, err
	}
	if s.cfg.Scenarios, err = agentsim.ParseScenarios(*scenarios); err != nil {
		return s, err
	}
	if s.progressIn < 0 {
		return s, errors.New("progress must not be negative")
	}
	return s, s.cfg.Validate()
}

func joined[T ~string](names []T) string {
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = string(n)
	}
	return strings.Join(parts, ",")
}
