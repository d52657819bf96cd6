// Command agentsim runs simulated AI agents that send GenAI traces over
// OTLP/HTTP, in the encodings of the main instrumentation libraries, and can
// write the interactions PrecogX must receive for them.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"text/tabwriter"

	"github.com/precogxai/precogx-otel/internal/agentsim"
)

// Exit codes.
const (
	exitOK     = 0
	exitFailed = 1 // the run or the expectations file failed
	exitUsage  = 2
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is the whole command; an interrupt (ctx done) ends the run normally.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	s, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintln(stderr, "agentsim:", err)
		return exitUsage
	}

	sink, closeSink, err := expectationSink(s.expectOut)
	if err != nil {
		fmt.Fprintln(stderr, "agentsim:", err)
		return exitFailed
	}
	opts := agentsim.Options{OnExpected: sink.add, ProgressInterval: s.progressIn}
	if s.progressIn > 0 {
		opts.OnProgress = func(p agentsim.Progress) {
			fmt.Fprintf(stdout, "%6.1fs  traces=%d spans=%d failed=%d\n", p.Elapsed.Seconds(), p.Traces, p.Spans, p.Failed)
		}
	}
	fmt.Fprintf(stdout, "agentsim: %d agents -> %s\n", s.cfg.Agents, s.cfg.Endpoint)
	rep, runErr := agentsim.Run(ctx, s.cfg, opts)
	writeErr := closeSink()

	printSummary(stdout, rep)
	if s.expectOut != "" && writeErr == nil {
		fmt.Fprintf(stdout, "expectations: %d written to %s\n", sink.count, s.expectOut)
	}
	code := exitOK
	if runErr != nil {
		fmt.Fprintln(stderr, "agentsim: export failed:", runErr)
		code = exitFailed
	}
	if writeErr != nil {
		fmt.Fprintln(stderr, "agentsim: expectations:", writeErr)
		code = exitFailed
	}
	return code
}

func printSummary(w io.Writer, rep agentsim.Report) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "AGENT\tCONVENTION\tTRACES\tSPANS\tFAILED")
	for _, a := range rep.Agents {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\n", a.AgentID, a.Convention, a.Traces, a.Spans, a.FailedSpans)
	}
	traces, spans, failed := rep.Totals()
	fmt.Fprintf(tw, "total\t\t%d\t%d\t%d\n", traces, spans, failed)
	_ = tw.Flush()
}

// expectations counts expectations and, when a file is open, writes them as
// JSON lines. Run calls add from one goroutine at a time.
type expectations struct {
	count int
	w     io.Writer // nil when no file was asked for
	err   error
}

func (e *expectations) add(x agentsim.Expected) {
	e.count++
	if e.w != nil && e.err == nil {
		e.err = agentsim.WriteJSONL(e.w, []agentsim.Expected{x})
	}
}

// expectationSink opens path (if set) for the expectations; close flushes
// and closes it and reports the first error.
func expectationSink(path string) (*expectations, func() error, error) {
	e := &expectations{}
	if path == "" {
		return e, func() error { return nil }, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, nil, err
	}
	buf := bufio.NewWriter(f)
	e.w = buf
	return e, func() error {
		return errors.Join(e.err, buf.Flush(), f.Close())
	}, nil
}
