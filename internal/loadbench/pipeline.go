package loadbench

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/exporter/exporterhelper"
	"go.opentelemetry.io/collector/exporter/exportertest"
	"go.opentelemetry.io/collector/exporter/otlphttpexporter"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/precogxai/precogx-otel/exporter/precogxexporter"
	"github.com/precogxai/precogx-otel/internal/localserver"
	"github.com/precogxai/precogx-otel/processor/precogxprocessor"
)

// PipelineResult is one path of the in-process comparison.
type PipelineResult struct {
	Name  string
	Spans int           // spans pushed through
	Busy  time.Duration // time inside ConsumeTraces
	Sink  time.Duration // of which the sink's handler
	// Delivered is what reached the sink: interactions (precogx) or spans (OTLP).
	Delivered int64
}

// SpansPerSecond is the throughput of the whole path, sink included.
func (r PipelineResult) SpansPerSecond() float64 { return float64(r.Spans) / r.Busy.Seconds() }

// ComponentSpansPerSecond leaves out the time the sink's handler took: the
// sink stands for a remote service whose cost is not the collector's.
func (r PipelineResult) ComponentSpansPerSecond() float64 {
	return float64(r.Spans) / (r.Busy - r.Sink).Seconds()
}

// pipelinePath is a consumer chain to measure and what to close after.
type pipelinePath struct {
	name      string
	consumer  consumer.Traces
	sinkBusy  func() time.Duration
	delivered func() int64
	close     func()
}

// RunPipelines pushes the same batches through both paths, synchronously
// (no sending queue, no retry), for about d of time inside the pipeline
// each after a warm-up of d/5, and returns the precogx path and the
// otlp_http path.
func RunPipelines(ctx context.Context, w *Workload, d time.Duration) ([]PipelineResult, error) {
	var out []PipelineResult
	for _, build := range []func(context.Context) (*pipelinePath, error){precogxPath, otlpHTTPPath} {
		p, err := build(ctx)
		if err != nil {
			return nil, err
		}
		if _, err := pushFor(ctx, p, w, d/5); err != nil {
			p.close()
			return nil, fmt.Errorf("%s: warm-up: %w", p.name, err)
		}
		sink0, delivered0 := p.sinkBusy(), p.delivered()
		res, err := pushFor(ctx, p, w, d)
		res.Sink = p.sinkBusy() - sink0
		res.Delivered = p.delivered() - delivered0
		p.close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p.name, err)
		}
		out = append(out, res)
	}
	return out, nil
}

// pushFor sends copies of the workload's batches through p until the time
// spent inside it reaches d. Copies are made outside the timed part (the
// processor edits what it is given).
func pushFor(ctx context.Context, p *pipelinePath, w *Workload, d time.Duration) (PipelineResult, error) {
	res := PipelineResult{Name: p.name}
	deadline := time.Now().Add(10 * d) // the copies take time too, bounded anyway
	for i := 0; res.Busy < d; i++ {
		if time.Now().After(deadline) {
			return res, errors.New("ran out of time")
		}
		td := ptrace.NewTraces()
		w.Batches[i%len(w.Batches)].CopyTo(td)
		start := time.Now()
		err := p.consumer.ConsumeTraces(ctx, td)
		res.Busy += time.Since(start)
		if err != nil {
			return res, err
		}
		res.Spans += w.Spans[i%len(w.Spans)]
	}
	return res, nil
}

// benchAPIKey is the key of the in-process PrecogX server.
const benchAPIKey = "px_bench_key"

func precogxPath(ctx context.Context) (*pipelinePath, error) {
	srv, err := localserver.New(localserver.Config{
		Keys:               []localserver.KeyConfig{{Key: benchAPIKey, Name: "bench", Plan: localserver.PlanEnterprise}},
		RetainInteractions: -1,
	})
	if err != nil {
		return nil, err
	}
	sink := &timedHandler{h: srv.Handler()}
	hs := httptest.NewServer(sink)

	ef := precogxexporter.NewFactory()
	ecfg := ef.CreateDefaultConfig().(*precogxexporter.Config)
	ecfg.ClientConfig.Endpoint = hs.URL
	ecfg.APIKey = configopaque.String(benchAPIKey)
	ecfg.QueueConfig = configoptional.None[exporterhelper.QueueBatchConfig]()
	ecfg.RetryConfig.Enabled = false
	exp, err := ef.CreateTraces(ctx, exportertest.NewNopSettings(ef.Type()), ecfg)
	if err != nil {
		hs.Close()
		return nil, err
	}
	pf := precogxprocessor.NewFactory()
	pcfg := pf.CreateDefaultConfig().(*precogxprocessor.Config)
	pcfg.AgentID.From = []string{"service.name"}
	proc, err := pf.CreateTraces(ctx, processortest.NewNopSettings(pf.Type()), pcfg, exp)
	if err != nil {
		hs.Close()
		return nil, err
	}
	stop, err := startAll(ctx, exp, proc)
	if err != nil {
		hs.Close()
		return nil, err
	}
	return &pipelinePath{
		name:      "precogx processor + precogx exporter → PrecogX-compatible server",
		consumer:  proc,
		sinkBusy:  func() time.Duration { return time.Duration(sink.busy.Load()) },
		delivered: func() int64 { return srv.Stats().Totals.Received },
		close: func() {
			stop()
			hs.Close()
			_ = srv.Close()
		},
	}, nil
}

func otlpHTTPPath(ctx context.Context) (*pipelinePath, error) {
	sink := &otlpSink{}
	hs := httptest.NewServer(sink)
	f := otlphttpexporter.NewFactory()
	cfg := f.CreateDefaultConfig().(*otlphttpexporter.Config)
	cfg.ClientConfig.Endpoint = hs.URL
	cfg.QueueConfig = configoptional.None[exporterhelper.QueueBatchConfig]()
	cfg.RetryConfig.Enabled = false
	exp, err := f.CreateTraces(ctx, exportertest.NewNopSettings(f.Type()), cfg)
	if err != nil {
		hs.Close()
		return nil, err
	}
	stop, err := startAll(ctx, exp)
	if err != nil {
		hs.Close()
		return nil, err
	}
	return &pipelinePath{
		name:      "otlp_http exporter (defaults: gzip) → OTLP sink",
		consumer:  exp,
		sinkBusy:  func() time.Duration { return time.Duration(sink.busy.Load()) },
		delivered: sink.spans.Load,
		close: func() {
			stop()
			hs.Close()
		},
	}, nil
}

// startAll starts components in order and returns what shuts them down in
// reverse order.
func startAll(ctx context.Context, comps ...component.Component) (func(), error) {
	host := componenttest.NewNopHost()
	for i, c := range comps {
		if err := c.Start(ctx, host); err != nil {
			for j := i - 1; j >= 0; j-- {
				_ = comps[j].Shutdown(ctx)
			}
			return nil, err
		}
	}
	return func() {
		for i := len(comps) - 1; i >= 0; i-- {
			_ = comps[i].Shutdown(context.Background())
		}
	}, nil
}
