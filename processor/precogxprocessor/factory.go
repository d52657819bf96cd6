package precogxprocessor // import "github.com/precogxai/precogx-otel/processor/precogxprocessor"

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processorhelper"

	"github.com/precogxai/precogx-otel/processor/precogxprocessor/internal/metadata"
)

// NewFactory returns the factory of the precogx processor.
func NewFactory() processor.Factory {
	return processor.NewFactory(
		metadata.Type,
		createDefaultConfig,
		processor.WithTraces(createTraces, metadata.TracesStability),
		processor.WithLogs(createLogs, metadata.LogsStability),
	)
}

func createDefaultConfig() component.Config {
	return &Config{
		AgentID: AgentIDConfig{
			From:      []string{"service.name"},
			RandomIDs: RandomIDsWarn,
		},
		Spans: SpansLLM,
	}
}

func createTraces(ctx context.Context, set processor.Settings, cfg component.Config, next consumer.Traces) (processor.Traces, error) {
	tb, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	p := newTracesProcessor(cfg.(*Config), set.Logger, tb)
	return processorhelper.NewTraces(ctx, set, cfg, next, p.processTraces, helperOptions(tb)...)
}

func createLogs(ctx context.Context, set processor.Settings, cfg component.Config, next consumer.Logs) (processor.Logs, error) {
	tb, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	p := newLogsProcessor(cfg.(*Config), set.Logger, tb)
	return processorhelper.NewLogs(ctx, set, cfg, next, p.processLogs, helperOptions(tb)...)
}

func helperOptions(tb *metadata.TelemetryBuilder) []processorhelper.Option {
	return []processorhelper.Option{
		processorhelper.WithCapabilities(consumer.Capabilities{MutatesData: true}),
		processorhelper.WithShutdown(func(context.Context) error {
			tb.Shutdown()
			return nil
		}),
	}
}
