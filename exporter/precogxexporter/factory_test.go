package precogxexporter

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/config/configtls"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/exporterhelper"
	"go.opentelemetry.io/collector/exporter/exportertest"

	"github.com/precogxai/precogx-otel/exporter/precogxexporter/internal/metadata"
)

func TestCreateTraces(t *testing.T) {
	factory := NewFactory()
	assert.Equal(t, metadata.Type, factory.Type())
	assert.Equal(t, metadata.TracesStability, factory.TracesStability())

	cfg := factory.CreateDefaultConfig().(*Config)
	cfg.APIKey = testAPIKey
	exp, err := factory.CreateTraces(context.Background(), exportertest.NewNopSettings(metadata.Type), cfg)
	require.NoError(t, err)
	assert.True(t, exp.Capabilities().MutatesData, "the default batching merges requests")
	require.NoError(t, exp.Start(context.Background(), componenttest.NewNopHost()))
	require.NoError(t, exp.Shutdown(context.Background()))
}

func TestStartFailsOnBadTLS(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.APIKey = testAPIKey
	cfg.ClientConfig.TLS = configtls.ClientConfig{Config: configtls.Config{CAFile: "/does/not/exist.pem"}}
	exp, err := NewFactory().CreateTraces(context.Background(), exportertest.NewNopSettings(metadata.Type), cfg)
	require.NoError(t, err)
	assert.Error(t, exp.Start(context.Background(), componenttest.NewNopHost()))
	require.NoError(t, exp.Shutdown(context.Background()))
}

// newPipelineExporter builds the exporter as the factory does, wrapped in
// exporterhelper, with the test's converter installed by traffic.
func newPipelineExporter(t *testing.T, endpoint string, configure func(*Config)) (*harness, exporter.Traces) {
	t.Helper()
	cfg := createDefaultConfig().(*Config)
	cfg.ClientConfig.Endpoint = endpoint
	cfg.APIKey = testAPIKey
	configure(cfg)
	require.NoError(t, cfg.Validate())
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tel.Shutdown(context.Background())) })
	set := exportertest.NewNopSettings(metadata.Type)
	set.TelemetrySettings = tel.NewTelemetrySettings()
	exp, err := newExporter(cfg, set)
	require.NoError(t, err)
	traces, err := exp.traces(context.Background(), set)
	require.NoError(t, err)
	return &harness{exp: exp, tel: tel}, traces
}

// TestPartialRetryThroughExporterhelper checks the contract with
// exporterhelper: the remainder it retries holds only the failed agent.
func TestPartialRetryThroughExporterhelper(t *testing.T) {
	var failures atomic.Int32
	api := newFakeAPI(t, func(r received) reply {
		if r.agent() == "b" && failures.Add(1) <= 2 {
			return reply{status: 503, header: map[string]string{"Retry-After": "0"}}
		}
		return reply{status: 200}
	})
	h, traces := newPipelineExporter(t, api.srv.URL, func(cfg *Config) {
		cfg.QueueConfig = configoptional.None[exporterhelper.QueueBatchConfig]() // ConsumeTraces returns the outcome
		cfg.RetryConfig.InitialInterval = 5 * time.Millisecond
		cfg.RetryConfig.MaxInterval = 10 * time.Millisecond
		cfg.MaxConcurrentRequests = 1
	})
	td := h.traffic(agentSpec{"a", 2}, agentSpec{"b", 1}, agentSpec{"c", 1})
	require.NoError(t, traces.Start(context.Background(), componenttest.NewNopHost()))
	require.NoError(t, traces.ConsumeTraces(context.Background(), td))
	require.NoError(t, traces.Shutdown(context.Background()))

	assert.Equal(t, map[string]int{"a-0": 1, "a-1": 1, "b-0": 3, "c-0": 1}, api.delivered(),
		"a is never resent; b is retried until accepted; c waits for the retry after the 503")
}

// TestDefaultQueueDeliversOnShutdown runs the production defaults: queue and
// batching on; shutdown drains the queue.
func TestDefaultQueueDeliversOnShutdown(t *testing.T) {
	api := newFakeAPI(t, ok)
	h, traces := newPipelineExporter(t, api.srv.URL, func(*Config) {})
	td := h.traffic(agentSpec{"a", 3}, agentSpec{"b", 2})
	require.NoError(t, traces.Start(context.Background(), componenttest.NewNopHost()))
	require.NoError(t, traces.ConsumeTraces(context.Background(), td))
	require.NoError(t, traces.Shutdown(context.Background()))
	assert.Equal(t, map[string]int{"a-0": 1, "a-1": 1, "a-2": 1, "b-0": 1, "b-1": 1}, api.delivered())
}
