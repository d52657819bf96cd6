// Command precogx-local runs a local PrecogX-compatible ingest API: the demo
// backend, the end-to-end test bed and the benchmark backend of
// precogx-otel, with plan limits, rate limits and injectable faults. See
// package internal/localserver.
//
// It prints one line, "listening on http://HOST:PORT", to stdout once it
// serves, logs to stderr, and on SIGINT or SIGTERM stops and flushes its
// JSONL file.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/precogxai/precogx-otel/internal/localserver"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	switch {
	case errors.Is(err, flag.ErrHelp):
	case err != nil:
		fmt.Fprintln(os.Stderr, "precogx-local:", err)
		os.Exit(1)
	}
}

// run serves until ctx ends, then closes the server.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	opts, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	srv, err := localserver.New(opts.cfg)
	if err != nil {
		return err
	}
	addr, err := srv.Start(opts.listen)
	if err != nil {
		return errors.Join(err, srv.Close())
	}
	if _, err := fmt.Fprintf(stdout, "listening on http://%s\n", addr); err != nil {
		return errors.Join(err, srv.Close())
	}
	faults, _ := json.Marshal(srv.Faults()) // Faults always marshal
	opts.cfg.Logger.Info("serving the PrecogX API", "address", addr, "keys", len(opts.cfg.Keys),
		"plan", opts.cfg.Keys[0].Plan.Name, "batch", !opts.cfg.DisableBatch, "jsonl", opts.cfg.JSONLPath,
		"faults", string(faults))
	<-ctx.Done()
	return srv.Close()
}

// options are the parsed command line.
type options struct {
	listen string
	cfg    localserver.Config
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	fs := flag.NewFlagSet("precogx-local", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		opts      options
		keys      stringList
		plan      = fs.String("plan", "enterprise", "plan of every key: free, professional, business, enterprise or an agent limit N")
		rateLimit = fs.Int("rate-limit", -1, "requests per minute per key, overriding the plan's tier; 0 means unlimited")
		rateBurst = fs.Int("rate-burst", 0, "burst of --rate-limit; 0 means the rate")
		shape     = fs.String("error-shape", string(localserver.ShapeDetail), `error body shape: detail ({"detail": ...}) or error ({"error": {"code", "message"}})`)
		burst     = fs.String("burst-5xx", "", "answer 503 during windows LENGTH/EVERY, e.g. 5s/30s")
		storm     = fs.String("storm-429", "", "answer 429 during windows LENGTH/EVERY, e.g. 5s/30s")
		outage    = fs.String("outage", "", "refuse every request: close (connections closed) or 503")
		quiet     = fs.Bool("quiet", false, "log errors only, not every interaction and refusal")
		f         = &opts.cfg.Faults
	)
	fs.StringVar(&opts.listen, "listen", "127.0.0.1:0", "address to listen on")
	fs.Var(&keys, "api-key", "accepted API key (repeatable; default "+localserver.DefaultAPIKey+")")
	fs.StringVar(&opts.cfg.JSONLPath, "jsonl", "", "write every accepted interaction as one JSON line to this file (truncated at start)")
	fs.BoolVar(&opts.cfg.DisableBatch, "no-batch", false, "answer 404 on the batch path")
	fs.Int64Var(&opts.cfg.MaxBodyBytes, "max-body", localserver.DefaultMaxBodyBytes, "largest request body in bytes (413 beyond)")
	fs.Uint64Var(&opts.cfg.Seed, "seed", 1, "seed of the random fault draws")
	fs.BoolVar(&opts.cfg.AllowNonLoopback, "allow-non-loopback", false, "allow --listen on an address other than loopback")
	fs.Float64Var(&f.ErrorRate, "error-rate", 0, "fraction of requests answered 500, 502 or 503")
	fs.DurationVar(&f.Latency, "latency", 0, "latency added to every request")
	fs.DurationVar(&f.RetryAfter, "retry-after", 0, "Retry-After of --storm-429 answers; 0 means the rest of the window")
	fs.Float64Var(&f.DropConnRate, "drop-conn-rate", 0, "fraction of requests whose connection is closed without an answer")
	fs.Float64Var(&f.SlowRate, "slow-rate", 0, "fraction of requests answered --slow-delay after being accepted")
	fs.DurationVar(&f.SlowDelay, "slow-delay", 0, "delay of --slow-rate answers (beyond the client timeout to cause retries)")
	if err := fs.Parse(args); err != nil {
		return opts, err
	}
	if fs.NArg() > 0 {
		return opts, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}

	p, err := localserver.ParsePlan(*plan)
	if err != nil {
		return opts, err
	}
	var rate *localserver.Rate
	if *rateLimit >= 0 {
		rate = &localserver.Rate{PerMinute: *rateLimit, Burst: *rateBurst}
	}
	if len(keys) == 0 {
		keys = stringList{localserver.DefaultAPIKey}
	}
	for _, k := range keys {
		opts.cfg.Keys = append(opts.cfg.Keys, localserver.KeyConfig{Key: k, Plan: p, Rate: rate})
	}
	opts.cfg.ErrorShape = localserver.ErrorShape(*shape)
	opts.cfg.Faults.Outage = localserver.Outage(*outage)
	if f.Burst5xx, err = localserver.ParseWindow(*burst); err != nil {
		return opts, fmt.Errorf("--burst-5xx: %w", err)
	}
	if f.Storm429, err = localserver.ParseWindow(*storm); err != nil {
		return opts, fmt.Errorf("--storm-429: %w", err)
	}
	// Nobody can read retained interactions from outside the process: the
	// JSONL file is the record.
	opts.cfg.RetainInteractions = -1
	level := slog.LevelInfo
	if *quiet {
		level = slog.LevelError
	}
	opts.cfg.Logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	return opts, nil
}

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string { return strings.Join(*l, ",") }

func (l *stringList) Set(v string) error {
	if v == "" {
		return errors.New("empty value")
	}
	*l = append(*l, v)
	return nil
}
