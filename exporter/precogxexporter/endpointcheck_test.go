package precogxexporter

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/exporter/exportertest"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/precogxai/precogx-otel/exporter/precogxexporter/internal/metadata"
)

func TestWarnPlainHTTP(t *testing.T) {
	for endpoint, warns := range map[string]bool{
		"http://api.example.com":          true,
		"HTTP://10.0.0.8:8080":            true,
		"http://[2001:db8::1]:80":         true,
		"http://localhost.example.com":    true,
		"http://user:secret@example.com/": true,
		"https://api.precogx.ai":          false,
		"http://127.0.0.1:8080":           false,
		"http://127.3.4.5":                false,
		"http://localhost:8080":           false,
		"http://LOCALHOST":                false,
		"http://precogx.localhost":        false,
		"http://[::1]:8080":               false,
		"::not a url":                     false,
	} {
		t.Run(endpoint, func(t *testing.T) {
			core, logs := observer.New(zapcore.DebugLevel)
			warnPlainHTTP(zap.New(core), endpoint)
			if !warns {
				assert.Zero(t, logs.Len(), "warned about %s", endpoint)
				return
			}
			require.Equal(t, 1, logs.Len())
			entry := logs.All()[0]
			assert.Equal(t, zapcore.WarnLevel, entry.Level)
			assert.Contains(t, entry.Message, "plain HTTP")
			assert.NotContains(t, entry.ContextMap()["endpoint"], "secret", "the URL's password was logged")
		})
	}
}

// TestStartWarnsAboutPlainHTTP: the warning comes when the exporter starts.
func TestStartWarnsAboutPlainHTTP(t *testing.T) {
	core, logs := observer.New(zapcore.WarnLevel)
	cfg := createDefaultConfig().(*Config)
	cfg.ClientConfig.Endpoint = "http://precogx.internal.example:8080"
	cfg.APIKey = "px_test_plain_http"
	set := exportertest.NewNopSettings(metadata.Type)
	set.Logger = zap.New(core)
	exp, err := newExporter(cfg, set)
	require.NoError(t, err)
	require.NoError(t, exp.start(t.Context(), componenttest.NewNopHost()))
	t.Cleanup(func() { require.NoError(t, exp.shutdown(t.Context())) })
	require.Equal(t, 1, logs.FilterMessageSnippet("plain HTTP").Len())
	for _, e := range logs.All() {
		assert.NotContains(t, e.Message, "px_test_plain_http")
		for _, v := range e.ContextMap() {
			assert.NotContains(t, v, "px_test_plain_http")
		}
	}
}

// TestTLSVerificationOnByDefault: the default configuration speaks HTTPS
// and verifies the server's certificate.
func TestTLSVerificationOnByDefault(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	assert.Equal(t, "https://api.precogx.ai", cfg.ClientConfig.Endpoint)
	assert.False(t, cfg.ClientConfig.TLS.Insecure)
	assert.False(t, cfg.ClientConfig.TLS.InsecureSkipVerify)
}
