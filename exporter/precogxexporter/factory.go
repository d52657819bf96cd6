package precogxexporter // import "github.com/precogxai/precogx-otel/exporter/precogxexporter"

import (
	"context"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/config/configretry"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/exporterhelper"

	"github.com/precogxai/precogx-otel/exporter/precogxexporter/internal/metadata"
)

const (
	defaultEndpoint                  = "https://api.precogx.ai"
	defaultTimeout                   = 30 * time.Second
	defaultMaxInteractionsPerRequest = 100
	defaultMaxRequestBytes           = 1 << 20
	defaultMaxFieldBytes             = 32 << 10
	defaultMaxConcurrentRequests     = 4
	defaultAgentLimitCooldown        = 10 * time.Minute
	defaultMaxReportedAgents         = 100
	defaultLogsJoinWait              = 10 * time.Second
	defaultLogsJoinMaxCallDuration   = 2 * time.Minute
	defaultLogsJoinMaxBytes          = 64 << 20

	// Batching counts spans. A few spans make one interaction, so a full
	// batch fills several requests of max_interactions_per_request.
	defaultFlushTimeout  = time.Second
	defaultBatchMinSpans = 1000
	defaultBatchMaxSpans = 5000
)

// NewFactory creates a factory for the PrecogX exporter.
func NewFactory() exporter.Factory {
	shared := &sharedExporters{byConfig: map[*Config]*precogxExporter{}}
	return exporter.NewFactory(
		metadata.Type,
		createDefaultConfig,
		exporter.WithTraces(shared.createTraces, metadata.TracesStability),
		exporter.WithLogs(shared.createLogs, metadata.LogsStability),
	)
}

func createDefaultConfig() component.Config {
	client := confighttp.NewDefaultClientConfig()
	client.Endpoint = defaultEndpoint
	client.Timeout = defaultTimeout

	return &Config{
		ClientConfig:              client,
		TimeoutConfig:             exporterhelper.TimeoutConfig{Timeout: defaultTimeout},
		QueueConfig:               defaultQueueConfig(),
		RetryConfig:               configretry.NewDefaultBackOffConfig(),
		RequestMode:               RequestModeBatch,
		MaxInteractionsPerRequest: defaultMaxInteractionsPerRequest,
		MaxRequestBytes:           defaultMaxRequestBytes,
		MaxFieldBytes:             defaultMaxFieldBytes,
		MaxConcurrentRequests:     defaultMaxConcurrentRequests,
		AgentLimit: AgentLimitConfig{
			Cooldown:          defaultAgentLimitCooldown,
			MaxReportedAgents: defaultMaxReportedAgents,
		},
		LogsJoin: LogsJoinConfig{
			Wait:            defaultLogsJoinWait,
			MaxCallDuration: defaultLogsJoinMaxCallDuration,
			MaxBytes:        defaultLogsJoinMaxBytes,
		},
	}
}

// defaultQueueConfig turns batching on: the default queue config leaves it
// off, and one export call per handful of spans would mean one small request
// per agent per call.
func defaultQueueConfig() configoptional.Optional[exporterhelper.QueueBatchConfig] {
	batch := exporterhelper.NewDefaultBatchConfig()
	batch.FlushTimeout = defaultFlushTimeout
	batch.MinSize = defaultBatchMinSpans
	batch.MaxSize = defaultBatchMaxSpans
	queue := exporterhelper.NewDefaultQueueConfig()
	queue.Batch = configoptional.Some(batch)
	return configoptional.Some(queue)
}

func (x *sharedExporters) createTraces(ctx context.Context, set exporter.Settings, cfg component.Config) (exporter.Traces, error) {
	exp, err := x.get(cfg.(*Config), set)
	if err != nil {
		return nil, err
	}
	return exp.traces(ctx, set)
}

// createLogs returns the same exporter as createTraces for the same
// configuration: GenAI event log records join the spans of its traces.
func (x *sharedExporters) createLogs(ctx context.Context, set exporter.Settings, cfg component.Config) (exporter.Logs, error) {
	exp, err := x.get(cfg.(*Config), set)
	if err != nil {
		return nil, err
	}
	return exp.logs(ctx, set)
}

// helperOptions are exporterhelper's settings for every signal the one
// shared exporter serves: the configured queue, batching, retry and timeout.
func (e *precogxExporter) helperOptions() []exporterhelper.Option {
	return []exporterhelper.Option{
		exporterhelper.WithStart(e.startShared),
		exporterhelper.WithShutdown(e.shutdownShared),
		exporterhelper.WithCapabilities(consumer.Capabilities{MutatesData: false}),
		exporterhelper.WithTimeout(e.cfg.TimeoutConfig),
		exporterhelper.WithRetry(e.cfg.RetryConfig),
		exporterhelper.WithQueue(e.cfg.QueueConfig),
	}
}

// traces wraps the exporter in exporterhelper's queue, batching, retry and timeout.
func (e *precogxExporter) traces(ctx context.Context, set exporter.Settings) (exporter.Traces, error) {
	exp, err := exporterhelper.NewTraces(ctx, set, e.cfg, e.pushTraces, e.helperOptions()...)
	if err != nil {
		return nil, err
	}
	e.addUser()
	return exp, nil
}
