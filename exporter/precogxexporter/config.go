package precogxexporter // import "github.com/precogxai/precogx-otel/exporter/precogxexporter"

import (
	"errors"
	"fmt"
	"net/url"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/config/configretry"
	"go.opentelemetry.io/collector/exporter/exporterhelper"
)

// RequestMode says how interactions are packed into requests.
type RequestMode string

const (
	// RequestModeBatch sends up to max_interactions_per_request interactions
	// of one agent per request to the batch endpoint.
	RequestModeBatch RequestMode = "batch"
	// RequestModeSingle sends one interaction per request to the ingest endpoint.
	RequestModeSingle RequestMode = "single"
)

// Config defines the configuration of the PrecogX exporter.
type Config struct {
	// ClientConfig holds endpoint, TLS, headers, compression, proxy and auth.
	// Its `timeout` key is shared with TimeoutConfig: one value bounds each
	// HTTP request and the whole export call.
	ClientConfig  confighttp.ClientConfig                                  `mapstructure:",squash"`
	TimeoutConfig exporterhelper.TimeoutConfig                             `mapstructure:",squash"`
	QueueConfig   configoptional.Optional[exporterhelper.QueueBatchConfig] `mapstructure:"sending_queue"`
	RetryConfig   configretry.BackOffConfig                                `mapstructure:"retry_on_failure"`

	// APIKey authenticates the organisation; sent in the x-api-key header.
	APIKey configopaque.String `mapstructure:"api_key"`

	RequestMode               RequestMode `mapstructure:"request_mode"`
	MaxInteractionsPerRequest int         `mapstructure:"max_interactions_per_request"`
	MaxRequestBytes           int         `mapstructure:"max_request_bytes"`
	// MaxFieldBytes caps one prompt, response, chain of thought or tool value.
	MaxFieldBytes int `mapstructure:"max_field_bytes"`
	// MaxConcurrentRequests bounds the requests one export call has in flight.
	MaxConcurrentRequests int `mapstructure:"max_concurrent_requests"`

	RateLimit  RateLimitConfig  `mapstructure:"rate_limit"`
	AgentLimit AgentLimitConfig `mapstructure:"agent_limit"`
	LogsJoin   LogsJoinConfig   `mapstructure:"logs_join"`

	// prevent unkeyed literal initialization
	_ struct{}
}

// RateLimitConfig paces requests on the client side.
type RateLimitConfig struct {
	// RequestsPerMinute is the most requests this exporter sends per minute;
	// 0 turns pacing off.
	RequestsPerMinute int `mapstructure:"requests_per_minute"`

	// prevent unkeyed literal initialization
	_ struct{}
}

// AgentLimitConfig tunes the handling of the plan's agent limit.
type AgentLimitConfig struct {
	// Cooldown is how long an agent refused by the plan's agent limit is
	// dropped without requests before one probe request asks again.
	Cooldown time.Duration `mapstructure:"cooldown"`
	// MaxReportedAgents is how many over-limit agents the
	// exporter_precogx_agent_limit_dropped gauge names one by one.
	MaxReportedAgents int `mapstructure:"max_reported_agents"`

	// prevent unkeyed literal initialization
	_ struct{}
}

// LogsJoinConfig tunes how GenAI event log records are joined to their
// spans. The join runs only when the exporter is in a logs pipeline.
type LogsJoinConfig struct {
	// Wait is how long one half of a finished model call waits for the
	// other: a span without content for its log records, the records of a
	// call that has answered for its span. The default covers the SDKs'
	// default span export delay (5s) plus the collector's batching.
	Wait time.Duration `mapstructure:"wait"`
	// MaxCallDuration is how long the input records of a call wait for its
	// answer and its span; a call running longer is delivered in pieces.
	MaxCallDuration time.Duration `mapstructure:"max_call_duration"`
	// MaxBytes bounds the spans and records held, as OTLP protobuf bytes.
	// When it is reached, the traces due first are sent as they are.
	MaxBytes int `mapstructure:"max_bytes"`

	// prevent unkeyed literal initialization
	_ struct{}
}

var _ component.Config = (*Config)(nil)

// Validate checks the configuration; every message names the key to set.
func (cfg *Config) Validate() error {
	var errs []error
	if cfg.APIKey == "" {
		errs = append(errs, errors.New(`api_key is required: set api_key to your PrecogX API key, e.g. api_key: ${env:PRECOGX_API_KEY}`))
	}
	if err := validateEndpoint(cfg.ClientConfig.Endpoint); err != nil {
		errs = append(errs, err)
	}
	if cfg.RequestMode != RequestModeBatch && cfg.RequestMode != RequestModeSingle {
		errs = append(errs, fmt.Errorf("request_mode %q is not supported: set request_mode to %q or %q", cfg.RequestMode, RequestModeBatch, RequestModeSingle))
	}
	for _, limit := range []struct {
		key   string
		value int
	}{
		{"max_interactions_per_request", cfg.MaxInteractionsPerRequest},
		{"max_request_bytes", cfg.MaxRequestBytes},
		{"max_field_bytes", cfg.MaxFieldBytes},
		{"max_concurrent_requests", cfg.MaxConcurrentRequests},
	} {
		if limit.value <= 0 {
			errs = append(errs, fmt.Errorf("%s must be positive, got %d: set %s to a positive number or remove it to use the default", limit.key, limit.value, limit.key))
		}
	}
	if cfg.MaxFieldBytes > 0 && cfg.MaxRequestBytes > 0 && cfg.MaxFieldBytes > cfg.MaxRequestBytes {
		errs = append(errs, fmt.Errorf("max_field_bytes (%d) must not exceed max_request_bytes (%d): lower max_field_bytes or raise max_request_bytes", cfg.MaxFieldBytes, cfg.MaxRequestBytes))
	}
	if cfg.RateLimit.RequestsPerMinute < 0 {
		errs = append(errs, fmt.Errorf("rate_limit.requests_per_minute must not be negative, got %d: set it to 0 to turn client-side pacing off", cfg.RateLimit.RequestsPerMinute))
	}
	if cfg.AgentLimit.Cooldown < 0 {
		errs = append(errs, fmt.Errorf("agent_limit.cooldown must not be negative, got %s: set agent_limit.cooldown to a duration such as 10m", cfg.AgentLimit.Cooldown))
	}
	if cfg.AgentLimit.MaxReportedAgents < 0 {
		errs = append(errs, fmt.Errorf("agent_limit.max_reported_agents must not be negative, got %d: set it to 0 to report every over-limit agent as _other", cfg.AgentLimit.MaxReportedAgents))
	}
	errs = append(errs, cfg.LogsJoin.validate()...)
	return errors.Join(errs...)
}

func (cfg *LogsJoinConfig) validate() []error {
	var errs []error
	for _, d := range []struct {
		key   string
		value time.Duration
	}{
		{"logs_join.wait", cfg.Wait},
		{"logs_join.max_call_duration", cfg.MaxCallDuration},
	} {
		if d.value <= 0 {
			errs = append(errs, fmt.Errorf("%s must be positive, got %s: set %s to a duration such as 5s or remove it to use the default", d.key, d.value, d.key))
		}
	}
	if cfg.MaxBytes <= 0 {
		errs = append(errs, fmt.Errorf("logs_join.max_bytes must be positive, got %d: set it to a byte count such as 67108864 (64 MiB) or remove it to use the default", cfg.MaxBytes))
	}
	return errs
}

func validateEndpoint(endpoint string) error {
	const fix = "set endpoint to the PrecogX API base URL, e.g. " + defaultEndpoint
	if endpoint == "" {
		return errors.New("endpoint is required: " + fix)
	}
	u, err := url.Parse(endpoint)
	if err != nil {
		return fmt.Errorf("endpoint %q is not a valid URL: %s", endpoint, fix)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("endpoint %q is not an http or https URL: %s", u.Redacted(), fix)
	}
	return nil
}
