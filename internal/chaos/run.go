package chaos // import "github.com/precogxai/precogx-otel/internal/chaos"

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/precogxai/precogx-otel/internal/agentsim"
	"github.com/precogxai/precogx-otel/internal/localserver"
)

const (
	// agentExportRetry is how long an agent retries an export: well past a
	// collector restart.
	agentExportRetry = 2 * time.Minute
	// sampleEvery is how often the collector's metrics and memory are read.
	sampleEvery = 500 * time.Millisecond
	// progressEvery is how often a status line is printed.
	progressEvery = 10 * time.Second
	// settle is waited after the last expected delivery for late copies.
	settle = 3 * time.Second
)

// Result is what a run measured.
type Result struct {
	Started time.Time
	// Sending is how long the agents sent; Drain how long delivery took
	// after they stopped.
	Sending, Drain time.Duration
	Schedule       []Step
	Soak           time.Duration

	Agents []agentsim.AgentReport
	// AgentError is what the agents reported about spans they could not
	// export (nil when every span reached the collector).
	AgentError error

	// ReceiverAccepted and ReceiverRefused are the receiver's span counts,
	// summed over the collector's lives.
	ReceiverAccepted, ReceiverRefused float64
	Tally                             Tally
	// ServerDuplicates is the server's own duplicate count, by
	// interaction_id; it must equal Tally.Duplicates.
	ServerDuplicates int64
	RequestsByStatus map[string]int64

	// ProcessorDropped counts spans the precogx processor dropped, by
	// reason; ExporterDropped what the precogx exporter dropped, by reason
	// (spans for not_llm, no_content and no_agent_id, else interactions).
	ProcessorDropped, ExporterDropped map[string]float64
	// SendFailed and EnqueueFailed are exporterhelper's span counts of
	// retries given up and of a full queue.
	SendFailed, EnqueueFailed float64

	// Timeline marks the start of each step, for DuplicatesByStep.
	Timeline []Mark

	PeakQueueSize float64 // bytes, the production queue's sizer
	PeakRSS       int64   // bytes, the highest VmHWM of any life
	Lives, Kills  int

	Soaked []SoakSample
}

// Run runs the agents, the server and the collector through cfg's schedule
// (or soak) and accounts for every interaction.
func Run(ctx context.Context, cfg Config) (Result, error) {
	if err := cfg.validate(); err != nil {
		return Result{}, err
	}
	if err := os.MkdirAll(cfg.WorkDir, 0o755); err != nil {
		return Result{}, err
	}
	if entries, _ := os.ReadDir(cfg.WorkDir); len(entries) > 0 {
		return Result{}, fmt.Errorf("work dir %s is not empty", cfg.WorkDir)
	}
	var progress io.Writer = io.Discard
	if cfg.Progress != nil {
		progress = &lockedWriter{w: cfg.Progress} // the monitor writes too
	}
	schedule := cfg.Schedule
	rate := 0.0
	if cfg.Soak > 0 {
		schedule = []Step{{Name: "steady (soak)", Length: cfg.Soak}}
		rate = cfg.SoakRate
	} else {
		var err error
		if rate, err = agentRate(cfg, length(schedule)); err != nil {
			return Result{}, err
		}
	}

	jsonl := filepath.Join(cfg.WorkDir, "received.jsonl")
	server, err := localserver.New(localserver.Config{JSONLPath: jsonl, RetainInteractions: -1, Seed: uint64(cfg.Seed)})
	if err != nil {
		return Result{}, err
	}
	addr, err := server.Start("127.0.0.1:0")
	if err != nil {
		_ = server.Close()
		return Result{}, err
	}
	serverClosed := false
	defer func() {
		if !serverClosed {
			_ = server.Close()
		}
	}()

	col, err := newCollector(&cfg, "http://"+addr, localserver.DefaultAPIKey)
	if err != nil {
		return Result{}, err
	}
	if err := col.start(); err != nil {
		return Result{}, fmt.Errorf("start the collector: %w", err)
	}
	defer func() { _ = col.stop(context.Background()) }()

	r := &runner{cfg: &cfg, server: server, col: col, ledger: newLedger(), out: progress, start: time.Now()}
	res := Result{Started: r.start, Schedule: cfg.Schedule, Soak: cfg.Soak}
	fmt.Fprintf(progress, "▶ PrecogX stand-in on %s; collector pid %d, OTLP on %s, queue in %s\n",
		addr, col.lives[0].pid, col.otlpURL, filepath.Join(cfg.WorkDir, "queue"))
	fmt.Fprintf(progress, "▶ %d agents at %.1f traces/s each\n", cfg.Agents, rate)

	stopMonitor := r.monitor(ctx, &res)
	agentsCtx, stopAgents := context.WithCancel(ctx)
	defer stopAgents()
	agents := r.startAgents(agentsCtx, rate, 3*length(schedule)+time.Minute)

	runErr := r.play(ctx, schedule)
	if runErr == nil && cfg.Soak == 0 {
		runErr = r.awaitTarget(ctx, 2*length(schedule))
	}
	stopAgents()
	done := <-agents
	res.Sending = time.Since(r.start)
	res.Agents, res.AgentError = done.rep.Agents, done.err
	fmt.Fprintf(progress, "▶ agents stopped after %s with %d interactions expected; waiting for delivery\n",
		res.Sending.Round(time.Second), r.ledger.len())

	if runErr == nil {
		drainStart := time.Now()
		r.drain(ctx)
		res.Drain = time.Since(drainStart)
	}
	stopMonitor()
	stopErr := col.stop(context.Background())
	stats := server.Stats()
	serverClosed = true
	if err := server.Close(); err != nil {
		return res, fmt.Errorf("close the server: %w", err)
	}
	if runErr != nil {
		return res, runErr
	}
	received, err := readDeliveries(jsonl)
	if err != nil {
		return res, fmt.Errorf("read %s: %w", jsonl, err)
	}
	res.Tally = r.ledger.reconcile(received)
	res.Timeline = r.timeline
	res.ServerDuplicates = stats.Totals.Duplicates
	res.RequestsByStatus = stats.Totals.RequestsByStatus
	r.account(&res)
	if stopErr != nil {
		fmt.Fprintf(progress, "  collector stop: %v\n", stopErr)
	}
	return res, nil
}

// agentsDone is what the agents reported when they stopped.
type agentsDone struct {
	rep agentsim.Report
	err error
}

// startAgents runs the simulated agents against the collector until ctx
// ends or limit passes; their expectations go to the ledger.
func (r *runner) startAgents(ctx context.Context, rate float64, limit time.Duration) <-chan agentsDone {
	done := make(chan agentsDone, 1)
	go func() {
		rep, err := agentsim.Run(ctx, agentsim.Config{
			Endpoint: r.col.otlpURL, Agents: r.cfg.Agents, Rate: rate, Seed: r.cfg.Seed,
			Duration: limit, ExportRetry: agentExportRetry,
		}, agentsim.Options{OnExpected: r.ledger.expect})
		done <- agentsDone{rep, err}
	}()
	return done
}

// agentRate is the traces per second per agent that yields cfg.Interactions
// over the schedule, from the interactions per trace of the same seed.
func agentRate(cfg Config, over time.Duration) (float64, error) {
	const probe = 30
	rep, err := agentsim.Generate(context.Background(),
		agentsim.Config{Agents: cfg.Agents, Traces: probe, Seed: cfg.Seed}, tracetest.NewNoopExporter())
	if err != nil {
		return 0, err
	}
	perTrace := float64(len(rep.Expected)) / float64(cfg.Agents*probe)
	traces := float64(cfg.Interactions) / perTrace
	return traces / float64(cfg.Agents) / over.Seconds(), nil
}

type runner struct {
	cfg    *Config
	server *localserver.Server
	col    *collector
	ledger *ledger
	out    io.Writer
	start  time.Time

	mu       sync.Mutex
	timeline []Mark
}

// Mark is the start of a stretch of the run.
type Mark struct {
	Name string
	At   time.Time
}

// setStep starts a stretch of the run: name in the timeline, line in the
// progress.
func (r *runner) setStep(name, line string) {
	r.mu.Lock()
	r.timeline = append(r.timeline, Mark{Name: name, At: time.Now()})
	r.mu.Unlock()
	fmt.Fprintf(r.out, "[%4.0fs] ▶ %s\n", time.Since(r.start).Seconds(), line)
}

// play runs the schedule: faults per step, kills and restarts.
func (r *runner) play(ctx context.Context, steps []Step) error {
	defer func() { _ = r.server.SetFaults(localserver.Faults{}) }()
	for i, s := range steps {
		r.setStep(s.Name, fmt.Sprintf("step %d/%d: %s (%s)", i+1, len(steps), s.Name, s.Length))
		if err := r.server.SetFaults(s.Faults); err != nil {
			return err
		}
		end := time.Now().Add(s.Length)
		if s.KillAt > 0 {
			if err := sleep(ctx, s.KillAt); err != nil {
				return err
			}
			if err := r.killAndRestart(ctx); err != nil {
				return err
			}
		}
		if err := sleep(ctx, time.Until(end)); err != nil {
			return err
		}
	}
	return r.server.SetFaults(localserver.Faults{})
}

func (r *runner) killAndRestart(ctx context.Context) error {
	l, _ := r.col.current()
	if err := r.col.kill(ctx); err != nil {
		return err
	}
	fmt.Fprintf(r.out, "[%4.0fs]   SIGKILL collector pid %d (queue %s); restarting in %s\n",
		time.Since(r.start).Seconds(), l.pid, bytesText(l.metrics.Sum(metricQueueSize, `exporter="precogx"`)), r.cfg.RestartAfter)
	if err := sleep(ctx, r.cfg.RestartAfter); err != nil {
		return err
	}
	began := time.Now()
	if err := r.col.start(); err != nil {
		return fmt.Errorf("restart the collector: %w", err)
	}
	l, _ = r.col.current()
	fmt.Fprintf(r.out, "[%4.0fs]   collector back as pid %d after %s on the same queue\n",
		time.Since(r.start).Seconds(), l.pid, time.Since(began).Round(time.Millisecond))
	return nil
}

// awaitTarget lets the agents go on, without faults, until they produced
// the interactions asked for.
func (r *runner) awaitTarget(ctx context.Context, limit time.Duration) error {
	if r.ledger.len() >= r.cfg.Interactions {
		return nil
	}
	r.setStep("steady", fmt.Sprintf("steady until %d interactions", r.cfg.Interactions))
	deadline := time.Now().Add(limit)
	for r.ledger.len() < r.cfg.Interactions {
		if time.Now().After(deadline) {
			return fmt.Errorf("the agents produced %d of %d interactions in %s", r.ledger.len(), r.cfg.Interactions, limit)
		}
		if err := sleep(ctx, 250*time.Millisecond); err != nil {
			return err
		}
	}
	return nil
}

// drain waits, at most cfg.Drain, until PrecogX has as many distinct
// interactions as expected and the collector's queue is empty (an
// unexpected interaction could make up the count of a missing one).
func (r *runner) drain(ctx context.Context) {
	r.setStep("drain", "drain")
	deadline := time.Now().Add(r.cfg.Drain)
	want := int64(r.ledger.len())
	for time.Now().Before(deadline) {
		l, up := r.col.current()
		if up && l.metrics.Sum(metricQueueSize, `exporter="precogx"`) == 0 && r.server.Stats().Totals.Accepted >= want {
			break
		}
		if sleep(ctx, 250*time.Millisecond) != nil {
			return
		}
	}
	_ = sleep(ctx, settle)
}

// monitor samples the collector and prints status lines until stopped.
func (r *runner) monitor(ctx context.Context, res *Result) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(sampleEvery)
		defer tick.Stop()
		lastLine, lastSoak := time.Now(), time.Now()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			r.col.sample(ctx)
			if time.Since(lastLine) >= progressEvery {
				lastLine = time.Now()
				r.status()
			}
			if r.cfg.Soak > 0 && time.Since(lastSoak) >= r.cfg.SoakSample {
				lastSoak = time.Now()
				res.Soaked = append(res.Soaked, r.soakSample(ctx))
			}
		}
	}()
	return func() {
		cancel()
		<-done
	}
}

func (r *runner) status() {
	st := r.server.Stats().Totals
	line := fmt.Sprintf("[%4.0fs]   expected %d, delivered %d, duplicates %d", time.Since(r.start).Seconds(),
		r.ledger.len(), st.Accepted, st.Duplicates)
	if l, up := r.col.current(); up {
		line += fmt.Sprintf(", queue %s, RSS %s", bytesText(l.metrics.Sum(metricQueueSize, `exporter="precogx"`)), bytesText(float64(l.mem.rss)))
	} else {
		line += ", collector down"
	}
	fmt.Fprintln(r.out, line)
}

// account fills the collector's figures, summed over its lives.
func (r *runner) account(res *Result) {
	c := r.col
	res.ReceiverAccepted = c.total("otelcol_receiver_accepted_spans")
	res.ReceiverRefused = c.total("otelcol_receiver_refused_spans")
	res.ProcessorDropped = c.byLabel("otelcol_processor_precogx_spans_dropped", "reason")
	res.ExporterDropped = c.byLabel("otelcol_exporter_precogx_interactions_dropped", "reason")
	res.SendFailed = c.total("otelcol_exporter_send_failed_spans", `exporter="precogx"`)
	res.EnqueueFailed = c.total("otelcol_exporter_enqueue_failed_spans", `exporter="precogx"`)
	res.PeakQueueSize = c.peakQueueSize()
	res.PeakRSS = c.peakRSS()
	res.Lives = len(c.lives)
	res.Kills = res.Lives - 1
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// lockedWriter serialises writes from the schedule and the monitor.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
