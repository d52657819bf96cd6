package precogxexporter

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/configcompression"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"
	"go.opentelemetry.io/collector/exporter/exporterhelper"

	"github.com/precogxai/precogx-otel/exporter/precogxexporter/internal/metadata"
)

func TestDefaultConfigNeedsOnlyTheAPIKey(t *testing.T) {
	cfg := NewFactory().CreateDefaultConfig().(*Config)
	require.NoError(t, confmap.New().Unmarshal(cfg))
	assert.EqualError(t, confmap.Validate(cfg),
		"api_key is required: set api_key to your PrecogX API key, e.g. api_key: ${env:PRECOGX_API_KEY}")

	cfg.APIKey = "px_live_x"
	require.NoError(t, confmap.Validate(cfg))
}

func TestDefaultConfigIsRightForProduction(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	assert.Equal(t, "https://api.precogx.ai", cfg.ClientConfig.Endpoint)
	assert.Equal(t, 30*time.Second, cfg.ClientConfig.Timeout)
	assert.Equal(t, 30*time.Second, cfg.TimeoutConfig.Timeout)
	assert.Equal(t, RequestModeBatch, cfg.RequestMode)
	assert.Equal(t, 100, cfg.MaxInteractionsPerRequest)
	assert.Equal(t, 1<<20, cfg.MaxRequestBytes)
	assert.Equal(t, 32<<10, cfg.MaxFieldBytes)
	assert.Equal(t, 4, cfg.MaxConcurrentRequests)
	assert.Equal(t, 0, cfg.RateLimit.RequestsPerMinute)
	assert.Equal(t, 10*time.Minute, cfg.AgentLimit.Cooldown)
	assert.Equal(t, 100, cfg.AgentLimit.MaxReportedAgents)
	assert.True(t, cfg.RetryConfig.Enabled)

	// Batching must be on: exporterhelper's default leaves it off.
	require.True(t, cfg.QueueConfig.HasValue())
	queue := cfg.QueueConfig.Get()
	require.True(t, queue.Batch.HasValue(), "sending_queue.batch must be on by default")
	batch := queue.Batch.Get()
	assert.Equal(t, exporterhelper.RequestSizerTypeItems, batch.Sizer)
	assert.Equal(t, time.Second, batch.FlushTimeout)
	assert.Equal(t, int64(1000), batch.MinSize)
	assert.Equal(t, int64(5000), batch.MaxSize)
}

func TestLoadConfig(t *testing.T) {
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)

	custom := createDefaultConfig().(*Config)
	custom.ClientConfig.Endpoint = "https://precogx.example.com:8443/"
	custom.ClientConfig.Timeout = 10 * time.Second
	custom.ClientConfig.Headers = configopaque.MapList{{Name: "X-Tenant", Value: "acme"}}
	custom.ClientConfig.Compression = configcompression.TypeGzip
	custom.TimeoutConfig.Timeout = 10 * time.Second
	custom.APIKey = "px_live_custom"
	custom.RequestMode = RequestModeSingle
	custom.MaxInteractionsPerRequest = 50
	custom.MaxRequestBytes = 512 << 10
	custom.MaxFieldBytes = 16 << 10
	custom.MaxConcurrentRequests = 8
	custom.RateLimit.RequestsPerMinute = 100
	custom.AgentLimit.Cooldown = 30 * time.Minute
	custom.AgentLimit.MaxReportedAgents = 20
	queue := exporterhelper.NewDefaultQueueConfig()
	queue.NumConsumers = 2
	queue.QueueSize = 500
	batch := exporterhelper.NewDefaultBatchConfig()
	batch.FlushTimeout = 5 * time.Second
	batch.MinSize = 200
	batch.MaxSize = 1000
	queue.Batch = configoptional.Some(batch)
	custom.QueueConfig = configoptional.Some(queue)
	custom.RetryConfig.InitialInterval = 10 * time.Second
	custom.RetryConfig.MaxInterval = time.Minute
	custom.RetryConfig.MaxElapsedTime = 10 * time.Minute

	minimal := createDefaultConfig().(*Config)
	minimal.APIKey = "px_live_example"

	tests := []struct {
		id      string
		want    *Config
		wantErr string
	}{
		{id: "", want: minimal},
		{id: "custom", want: custom},
		{id: "missing_api_key", wantErr: "api_key is required: set api_key to your PrecogX API key, e.g. api_key: ${env:PRECOGX_API_KEY}"},
		{id: "empty_endpoint", wantErr: "endpoint is required: set endpoint to the PrecogX API base URL, e.g. https://api.precogx.ai"},
		{id: "bad_endpoint", wantErr: `endpoint "api.precogx.ai" is not an http or https URL: set endpoint to the PrecogX API base URL, e.g. https://api.precogx.ai`},
		{id: "unparsable_endpoint", wantErr: `endpoint "https://api.precogx.ai:port" is not a valid URL: set endpoint to the PrecogX API base URL, e.g. https://api.precogx.ai`},
		{id: "unknown_request_mode", wantErr: `request_mode "stream" is not supported: set request_mode to "batch" or "single"`},
		{id: "zero_max_interactions", wantErr: "max_interactions_per_request must be positive, got 0: set max_interactions_per_request to a positive number or remove it to use the default"},
		{id: "negative_max_request_bytes", wantErr: "max_request_bytes must be positive, got -1: set max_request_bytes to a positive number or remove it to use the default"},
		{id: "zero_max_field_bytes", wantErr: "max_field_bytes must be positive, got 0: set max_field_bytes to a positive number or remove it to use the default"},
		{id: "zero_max_concurrent_requests", wantErr: "max_concurrent_requests must be positive, got 0: set max_concurrent_requests to a positive number or remove it to use the default"},
		{id: "field_over_request", wantErr: "max_field_bytes (2048) must not exceed max_request_bytes (1024): lower max_field_bytes or raise max_request_bytes"},
		{id: "negative_rate_limit", wantErr: "rate_limit.requests_per_minute must not be negative, got -5: set it to 0 to turn client-side pacing off"},
		{id: "negative_cooldown", wantErr: "agent_limit.cooldown must not be negative, got -1m0s: set agent_limit.cooldown to a duration such as 10m"},
		{id: "negative_max_reported_agents", wantErr: "agent_limit.max_reported_agents must not be negative, got -1: set it to 0 to report every over-limit agent as _other"},
		{id: "two_problems", wantErr: "api_key is required: set api_key to your PrecogX API key, e.g. api_key: ${env:PRECOGX_API_KEY}\n" +
			`request_mode "bulk" is not supported: set request_mode to "batch" or "single"`},
	}
	for _, tt := range tests {
		t.Run("precogx/"+tt.id, func(t *testing.T) {
			sub, err := cm.Sub(component.NewIDWithName(metadata.Type, tt.id).String())
			require.NoError(t, err)
			cfg := createDefaultConfig()
			require.NoError(t, sub.Unmarshal(cfg))
			if tt.wantErr != "" {
				assert.EqualError(t, confmap.Validate(cfg), tt.wantErr)
				return
			}
			require.NoError(t, confmap.Validate(cfg))
			assert.Equal(t, tt.want, cfg)
		})
	}
}

func TestAPIKeyIsOpaqueWhenMarshaled(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.APIKey = testAPIKey
	conf := confmap.New()
	require.NoError(t, conf.Marshal(cfg))
	assert.NotContains(t, conf.ToStringMap()["api_key"], testAPIKey)
}
