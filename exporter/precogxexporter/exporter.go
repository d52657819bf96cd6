package precogxexporter // import "github.com/precogxai/precogx-otel/exporter/precogxexporter"

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"
	"golang.org/x/time/rate"

	"github.com/precogxai/precogx-otel/exporter/precogxexporter/internal/metadata"
	"github.com/precogxai/precogx-otel/internal/genai"
)

// Reasons of exporter_precogx_interactions_dropped besides genai's.
const (
	reasonAgentLimit       = "agent_limit"
	reasonRejected         = "rejected"
	reasonTooLarge         = "too_large"
	reasonUnauthorized     = "unauthorized"
	reasonUnexpectedStatus = "unexpected_status"
	reasonUnencodable      = "unencodable"
)

// waiter paces requests; *rate.Limiter is one.
type waiter interface {
	Wait(ctx context.Context) error
}

type precogxExporter struct {
	cfg       *Config
	settings  component.TelemetrySettings
	logger    *zap.Logger
	telemetry *metadata.TelemetryBuilder
	endpoint  string // without a trailing slash
	apiKey    string
	userAgent string

	client  *http.Client // built in start
	limiter waiter       // nil when rate_limit is off
	limits  *agentLimits
	// single is set when request_mode is single or the batch endpoint turned
	// out to be missing; it is never cleared.
	single  atomic.Bool
	authLog rate.Sometimes // 401 and 403 at most once a minute

	// The logs join (logs.go), set when the exporter is in a logs pipeline.
	join       *logsJoin
	joinedOut  exporter.Traces // sends what the join releases
	stopTicker func()

	// One exporter serves both signals of a configuration (logs.go).
	life       sync.Mutex
	users      int
	started    bool
	startErr   error
	unregister func()

	// Seams for tests.
	convert func(ptrace.Traces, genai.Options) genai.Result
	now     func() time.Time
}

func newExporter(cfg *Config, set exporter.Settings) (*precogxExporter, error) {
	tb, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	e := &precogxExporter{
		cfg:       cfg,
		settings:  set.TelemetrySettings,
		logger:    set.Logger,
		telemetry: tb,
		endpoint:  strings.TrimSuffix(cfg.ClientConfig.Endpoint, "/"),
		apiKey:    string(cfg.APIKey),
		userAgent: userAgent(set.BuildInfo),
		authLog:   rate.Sometimes{Interval: time.Minute},
		convert:   genai.Convert,
		now:       time.Now,
	}
	e.single.Store(cfg.RequestMode == RequestModeSingle)
	e.limits = newAgentLimits(cfg.AgentLimit.Cooldown, func() time.Time { return e.now() })
	if rpm := cfg.RateLimit.RequestsPerMinute; rpm > 0 {
		e.limiter = rate.NewLimiter(rate.Every(time.Minute/time.Duration(rpm)), 1)
	}
	if err := tb.RegisterExporterPrecogxAgentsOverLimitCallback(e.observeAgentsOverLimit); err != nil {
		return nil, err
	}
	if err := tb.RegisterExporterPrecogxAgentLimitDroppedCallback(e.observeAgentLimitDropped); err != nil {
		return nil, err
	}
	return e, nil
}

func userAgent(info component.BuildInfo) string {
	version := info.Version
	if version == "" {
		version = "unknown"
	}
	return fmt.Sprintf("precogx-otel/%s (%s; %s/%s)", version, info.Description, runtime.GOOS, runtime.GOARCH)
}

// start builds the HTTP client here, where the host's extensions (auth) are known.
func (e *precogxExporter) start(ctx context.Context, host component.Host) error {
	warnPlainHTTP(e.logger, e.cfg.ClientConfig.Endpoint)
	client, err := e.cfg.ClientConfig.ToClient(ctx, host.GetExtensions(), e.settings)
	if err != nil {
		return err
	}
	// net/http forwards custom headers such as x-api-key on redirects to
	// other hosts; refuse those so the key only ever goes to the endpoint.
	client.CheckRedirect = sameOriginRedirects
	e.client = client
	return e.startJoin(ctx, host)
}

func sameOriginRedirects(req *http.Request, via []*http.Request) error {
	first := via[0].URL
	if req.URL.Scheme != first.Scheme || req.URL.Host != first.Host {
		return http.ErrUseLastResponse
	}
	if len(via) >= 10 {
		return errors.New("stopped after 10 redirects")
	}
	return nil
}

func (e *precogxExporter) shutdown(ctx context.Context) error {
	err := e.shutdownJoin(ctx)
	if e.client != nil {
		e.client.CloseIdleConnections()
	}
	e.telemetry.Shutdown()
	return err
}

// pushTraces sends td; in a logs pipeline its spans meet their log records
// first (pushJoined).
func (e *precogxExporter) pushTraces(ctx context.Context, td ptrace.Traces) error {
	if e.join != nil {
		return e.pushJoined(ctx, td)
	}
	return e.send(ctx, td)
}

// send converts td to interactions and sends them.
func (e *precogxExporter) send(ctx context.Context, td ptrace.Traces) error {
	return e.sendResult(ctx, td, e.convert(td, genai.Options{MaxFieldBytes: e.cfg.MaxFieldBytes}))
}

// sendResult sends every agent's share of the conversion of td, with at
// most max_concurrent_requests agents in flight.
func (e *precogxExporter) sendResult(ctx context.Context, td ptrace.Traces, res genai.Result) error {
	for reason, n := range res.Dropped {
		e.countDropped(ctx, string(reason), n)
	}
	p := &push{e: e}
	slots := make(chan struct{}, e.cfg.MaxConcurrentRequests)
	var wg sync.WaitGroup
	for i := range res.Batches {
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			p.sendAgent(ctx, &res.Batches[i])
		})
	}
	wg.Wait()
	return p.result(td)
}

func (e *precogxExporter) countDropped(ctx context.Context, reason string, n int) {
	if n > 0 {
		e.telemetry.ExporterPrecogxInteractionsDropped.Add(ctx, int64(n), metric.WithAttributes(attribute.String("reason", reason)))
	}
}

// fallBackToSingle switches to the single ingest endpoint for good, warning once.
func (e *precogxExporter) fallBackToSingle(answer string) {
	if e.single.CompareAndSwap(false, true) {
		e.logger.Warn("The PrecogX batch endpoint is not available; sending one interaction per request from now on. Set request_mode: single to skip this probe.",
			zap.String("answer", answer))
	}
}

func (e *precogxExporter) observeAgentsOverLimit(_ context.Context, o metric.Int64Observer) error {
	n, _ := e.limits.report(0)
	o.Observe(int64(n))
	return nil
}

func (e *precogxExporter) observeAgentLimitDropped(_ context.Context, o metric.Int64Observer) error {
	_, drops := e.limits.report(e.cfg.AgentLimit.MaxReportedAgents)
	for _, d := range drops {
		o.Observe(d.dropped, metric.WithAttributes(attribute.String("agent_id", d.agent)))
	}
	return nil
}
