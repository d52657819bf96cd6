package loadbench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/precogxai/precogx-otel/internal/localserver"
	"github.com/precogxai/precogx-otel/internal/testbed"
)

// Pipeline is a collector configuration under load.
type Pipeline struct {
	Name   string // short name for tables
	Config string // collector configuration file
	// PrecogX selects the sink: the local PrecogX server (true) or an OTLP sink.
	PrecogX bool
	// SinkLatency delays every answer of the PrecogX server: a slow PrecogX
	// makes the exporter fall behind, so its queue fills.
	SinkLatency time.Duration
}

// LoadResult is one run of the collector at one rate.
type LoadResult struct {
	Pipeline string
	Rate     int           // spans per second offered
	Window   time.Duration // the measured part of the run
	Sent     int64         // spans the collector accepted in the window
	Refused  int64         // spans it refused (non-2xx or transport error)
	CPU      time.Duration // CPU time of the collector process in the window
	// Generator is the CPU time of the load generator and sinks (this
	// process); Others that of every other process of the machine, in the
	// window: work that competed with the collector for the cores.
	Generator, Others time.Duration
	PeakRSS           int64 // VmHWM of the collector process at the end of the window
	// RSS samples the collector's resident set every half second of the
	// window (used for the burst).
	RSS []int64
	// Delivered is what reached the sink over the whole run: interactions
	// (PrecogX) or spans (OTLP).
	Delivered int64
}

// CPUPercent is the collector's CPU use in percent of one core.
func (r LoadResult) CPUPercent() float64 { return 100 * r.CPU.Seconds() / r.Window.Seconds() }

// AchievedRate is the spans per second the collector accepted.
func (r LoadResult) AchievedRate() float64 { return float64(r.Sent) / r.Window.Seconds() }

// RunLoad starts the collector binary bin with the pipeline's configuration
// and its sink, offers rate spans per second for warmup (not measured)
// then for window, and stops the collector by its PID. Only the collector
// process is measured; the load generator and the sinks run in this process.
func RunLoad(ctx context.Context, bin string, p Pipeline, w *Workload, rate int, warmup, window time.Duration, senders int) (LoadResult, error) {
	res := LoadResult{Pipeline: p.Name, Rate: rate}
	env, delivered, closeSink, err := startSink(p)
	if err != nil {
		return res, err
	}
	defer closeSink()
	otlpPort, err := testbed.FreePort()
	if err != nil {
		return res, err
	}
	metricsPort, err := testbed.FreePort()
	if err != nil {
		return res, err
	}
	env = append(env, "OTLP_HTTP_PORT="+strconv.Itoa(otlpPort), "METRICS_PORT="+strconv.Itoa(metricsPort))
	col, err := testbed.StartCollector(bin, p.Config, env)
	if err != nil {
		return res, err
	}
	defer func() { _ = col.Stop(15 * time.Second) }()
	if err := col.WaitHTTP(fmt.Sprintf("http://127.0.0.1:%d/metrics", metricsPort), 30*time.Second); err != nil {
		return res, err
	}
	if err := waitPort(ctx, otlpPort, 10*time.Second); err != nil {
		return res, err
	}

	gen := newGenerator(fmt.Sprintf("http://127.0.0.1:%d/v1/traces", otlpPort), w, senders)
	defer gen.close()
	gen.run(ctx, rate, warmup)
	meter, err := startCPUMeter(col.PID())
	if err != nil {
		return res, err
	}
	sent0, refused0 := gen.sent.Load(), gen.refused.Load()
	start := time.Now()
	stopSampling := sampleRSS(col.PID(), &res.RSS)
	gen.run(ctx, rate, window)
	stopSampling()
	res.Window = time.Since(start)
	if res.CPU, res.Generator, res.Others, err = meter.stop(); err != nil {
		return res, err
	}
	res.Sent, res.Refused = gen.sent.Load()-sent0, gen.refused.Load()-refused0
	if _, res.PeakRSS, err = procMemory(col.PID()); err != nil {
		return res, err
	}
	if col.Exited() {
		return res, fmt.Errorf("collector exited during the run:\n%s", col.Log())
	}
	res.Delivered = delivered()
	return res, nil
}

// startSink starts the pipeline's sink and returns the collector's
// environment for it.
func startSink(p Pipeline) (env []string, delivered func() int64, stop func(), err error) {
	if p.PrecogX {
		srv, err := localserver.New(localserver.Config{
			Keys:               []localserver.KeyConfig{{Key: benchAPIKey, Name: "bench", Plan: localserver.PlanEnterprise}},
			RetainInteractions: -1,
			Faults:             localserver.Faults{Latency: p.SinkLatency},
		})
		if err != nil {
			return nil, nil, nil, err
		}
		addr, err := srv.Start("127.0.0.1:0")
		if err != nil {
			return nil, nil, nil, err
		}
		env = []string{"PRECOGX_ENDPOINT=http://" + addr, "PRECOGX_API_KEY=" + benchAPIKey}
		return env, func() int64 { return srv.Stats().Totals.Received }, func() { _ = srv.Close() }, nil
	}
	sink := &otlpSink{}
	hs := httptest.NewServer(sink)
	return []string{"OTLP_SINK_ENDPOINT=" + hs.URL}, sink.spans.Load, hs.Close, nil
}

func waitPort(ctx context.Context, port int, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		var d net.Dialer
		c, err := d.DialContext(ctx, "tcp", "127.0.0.1:"+strconv.Itoa(port))
		if err == nil {
			return c.Close()
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("port %d not open after %s: %w", port, timeout, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// sampleRSS appends the resident set of pid to out every half second until
// stopped.
func sampleRSS(pid int, out *[]int64) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(500 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				if rss, _, err := procMemory(pid); err == nil {
					*out = append(*out, rss)
				}
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}

// generator posts the workload's pre-encoded OTLP requests at a fixed span
// rate from a few sender goroutines over kept-alive connections.
type generator struct {
	url       string
	w         *Workload
	next      int
	client    *http.Client
	transport *http.Transport
	senders   int
	sent      atomic.Int64
	refused   atomic.Int64
}

func newGenerator(url string, w *Workload, senders int) *generator {
	tr := &http.Transport{MaxIdleConnsPerHost: senders, IdleConnTimeout: 30 * time.Second}
	return &generator{url: url, w: w, senders: senders, transport: tr,
		client: &http.Client{Transport: tr, Timeout: 10 * time.Second}}
}

func (g *generator) close() { g.transport.CloseIdleConnections() }

// run offers rate spans per second for d: request k is due when the spans
// before it, at that rate, have had their time. Requests that find every
// sender busy wait for one, so an overloaded collector slows the offer
// (counted in the achieved rate) rather than piling up requests here.
func (g *generator) run(ctx context.Context, rate int, d time.Duration) {
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range g.senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				g.post(ctx, i)
			}
		}()
	}
	start := time.Now()
	spans := 0
	for time.Since(start) < d && ctx.Err() == nil {
		due := start.Add(time.Duration(float64(spans) / float64(rate) * float64(time.Second)))
		if wait := time.Until(due); wait > 0 {
			time.Sleep(wait)
		}
		i := g.next % len(g.w.Bodies)
		g.next++
		select {
		case jobs <- i:
		case <-ctx.Done():
		}
		spans += g.w.Spans[i]
	}
	close(jobs)
	wg.Wait()
}

func (g *generator) post(ctx context.Context, i int) {
	n := int64(g.w.Spans[i])
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, g.url, bytes.NewReader(g.w.Bodies[i]))
	if err != nil {
		g.refused.Add(n)
		return
	}
	req.Header.Set("Content-Type", "application/x-protobuf")
	resp, err := g.client.Do(req)
	if err != nil {
		g.refused.Add(n)
		return
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	if resp.StatusCode/100 == 2 {
		g.sent.Add(n)
	} else {
		g.refused.Add(n)
	}
}
