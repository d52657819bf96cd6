package precogxexporter

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"

	"github.com/precogxai/precogx-otel/exporter/precogxexporter/internal/metadatatest"
	"github.com/precogxai/precogx-otel/internal/precogxapi"
)

func TestClassify(t *testing.T) {
	agentLimitErrorShape := `{"error": {"code": "` + precogxapi.AgentLimitCode + `", "message": "limit"}}`
	tests := []struct {
		status int
		body   string
		want   answerKind
	}{
		{200, "", answerAccepted},
		{202, "", answerAccepted},
		{400, "", answerRejected},
		{401, "", answerUnauthorized},
		{403, agentLimitBody, answerAgentLimit},
		{403, agentLimitErrorShape, answerAgentLimit},
		{403, `{"detail": "API key valid but insufficient permissions"}`, answerUnauthorized},
		{403, "", answerUnauthorized},
		{404, "", answerNotFound},
		{405, "", answerNotFound},
		{413, "", answerTooLarge},
		{422, "", answerRejected},
		{429, "", answerRetryable},
		{500, "", answerRetryable},
		{502, "", answerRetryable},
		{503, "", answerRetryable},
		{504, "", answerRetryable},
		{301, "", answerUnexpected},
		{409, "", answerUnexpected},
		{501, "", answerUnexpected},
	}
	for _, tt := range tests {
		t.Run(strconv.Itoa(tt.status)+tt.body, func(t *testing.T) {
			assert.Equal(t, tt.want, classify(tt.status, []byte(tt.body)))
		})
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		value string
		want  time.Duration
	}{
		{"", 0},
		{"7", 7 * time.Second},
		{" 120 ", 2 * time.Minute},
		{"-3", 0},
		{now.Add(30 * time.Second).Format(http.TimeFormat), 30 * time.Second},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0},
		{"soon", 0},
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			h := http.Header{}
			if tt.value != "" {
				h.Set("Retry-After", tt.value)
			}
			assert.Equal(t, tt.want, retryAfter(h, now))
		})
	}
}

// TestStatusMapping sends one request per case against a real HTTP server
// and checks what the export call returns and counts.
func TestStatusMapping(t *testing.T) {
	tests := []struct {
		name        string
		status      int
		body        string
		wantErr     string // "" none, "permanent" or "retry"
		wantDropped string // reason counted for the 2 interactions
		wantClass   string
	}{
		{name: "200", status: 200, body: `{"status":"success"}`, wantClass: "2xx"},
		{name: "202 empty", status: 202, wantClass: "2xx"},
		{name: "400", status: 400, body: `{"detail":"prompt is required"}`, wantErr: "permanent", wantDropped: reasonRejected, wantClass: "4xx"},
		{name: "401", status: 401, body: `{"detail":"Invalid API key"}`, wantErr: "permanent", wantDropped: reasonUnauthorized, wantClass: "4xx"},
		{name: "403 other", status: 403, body: `{"detail":"API key valid but insufficient permissions"}`, wantErr: "permanent", wantDropped: reasonUnauthorized, wantClass: "4xx"},
		{name: "403 agent limit", status: 403, body: agentLimitBody, wantDropped: reasonAgentLimit, wantClass: "4xx"},
		{name: "409", status: 409, wantErr: "permanent", wantDropped: reasonUnexpectedStatus, wantClass: "4xx"},
		{name: "422", status: 422, body: `{"error":{"code":"VALIDATION","message":"agent_id: field required"}}`, wantErr: "permanent", wantDropped: reasonRejected, wantClass: "4xx"},
		{name: "429", status: 429, wantErr: "retry", wantClass: "4xx"},
		{name: "500", status: 500, wantErr: "retry", wantClass: "5xx"},
		{name: "501", status: 501, wantErr: "permanent", wantDropped: reasonUnexpectedStatus, wantClass: "5xx"},
		{name: "502", status: 502, wantErr: "retry", wantClass: "5xx"},
		{name: "503", status: 503, wantErr: "retry", wantClass: "5xx"},
		{name: "504", status: 504, wantErr: "retry", wantClass: "5xx"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := newFakeAPI(t, func(received) reply { return reply{status: tt.status, body: tt.body} })
			h := newHarness(t, api.srv.URL, nil)
			td := h.traffic(agentSpec{"a", 2})

			err := h.exp.pushTraces(context.Background(), td)

			require.Len(t, api.requests(), 1)
			switch tt.wantErr {
			case "":
				require.NoError(t, err)
			case "permanent":
				require.Error(t, err)
				assert.True(t, consumererror.IsPermanent(err), "error: %v", err)
				assert.Contains(t, err.Error(), strconv.Itoa(tt.status))
			case "retry":
				require.Error(t, err)
				assert.False(t, consumererror.IsPermanent(err))
				var partial consumererror.Traces
				require.ErrorAs(t, err, &partial)
				assert.Equal(t, 2, partial.Data().SpanCount(), "both spans come back for retry")
			}
			if tt.body != "" && tt.wantErr == "permanent" {
				// The server's message reaches the error.
				var eb precogxapi.ErrorBody
				require.NoError(t, json.Unmarshal([]byte(tt.body), &eb))
				assert.Contains(t, err.Error(), eb.Message())
			}

			metadatatest.AssertEqualExporterPrecogxRequests(t, h.tel, []metricdata.DataPoint[int64]{
				{Value: 1, Attributes: attribute.NewSet(attribute.String("status_class", tt.wantClass))},
			}, metricdatatest.IgnoreTimestamp(), metricdatatest.IgnoreExemplars())
			if tt.wantDropped != "" {
				metadatatest.AssertEqualExporterPrecogxInteractionsDropped(t, h.tel, []metricdata.DataPoint[int64]{
					{Value: 2, Attributes: attribute.NewSet(attribute.String("reason", tt.wantDropped))},
				}, metricdatatest.IgnoreTimestamp(), metricdatatest.IgnoreExemplars())
			} else {
				_, err := h.tel.GetMetric("otelcol_exporter_precogx_interactions_dropped")
				assert.Error(t, err, "nothing dropped")
			}
		})
	}
}

func TestNetworkErrorIsRetryable(t *testing.T) {
	api := newFakeAPI(t, ok)
	url := api.srv.URL
	api.srv.Close() // nothing listens any more
	// One request at a time: the failure stops the call before agent b.
	h := newHarness(t, url, func(cfg *Config) { cfg.MaxConcurrentRequests = 1 })
	td := h.traffic(agentSpec{"a", 2}, agentSpec{"b", 1})

	err := h.exp.pushTraces(context.Background(), td)
	require.Error(t, err)
	assert.False(t, consumererror.IsPermanent(err))
	var partial consumererror.Traces
	require.ErrorAs(t, err, &partial)
	assert.Equal(t, 3, partial.Data().SpanCount())
	metadatatest.AssertEqualExporterPrecogxRequests(t, h.tel, []metricdata.DataPoint[int64]{
		{Value: 1, Attributes: attribute.NewSet(attribute.String("status_class", "network"))},
	}, metricdatatest.IgnoreTimestamp(), metricdatatest.IgnoreExemplars())
}

func TestRetryAfterBecomesThrottle(t *testing.T) {
	for _, tt := range []struct {
		name   string
		header func(now time.Time) string
		want   string
	}{
		{"seconds", func(time.Time) string { return "7" }, "Throttle (7s)"},
		{"http date", func(now time.Time) string { return now.Add(90 * time.Second).Format(http.TimeFormat) }, "Throttle (1m30s)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var h *harness
			api := newFakeAPI(t, func(received) reply {
				return reply{status: 429, header: map[string]string{"Retry-After": tt.header(h.clock.Now())}}
			})
			h = newHarness(t, api.srv.URL, nil)
			err := h.exp.pushTraces(context.Background(), h.traffic(agentSpec{"a", 1}))
			require.Error(t, err)
			assert.False(t, consumererror.IsPermanent(err))
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestErrorsNameTheAgentAndBoundTheMessage(t *testing.T) {
	long := strings.Repeat("é", 2000)
	api := newFakeAPI(t, func(received) reply { return reply{status: 400, body: long} })
	h := newHarness(t, api.srv.URL, nil)
	err := h.exp.pushTraces(context.Background(), h.traffic(agentSpec{"checkout-bot", 1}))
	require.Error(t, err)
	assert.Contains(t, err.Error(), `agent "checkout-bot"`)
	assert.Contains(t, err.Error(), "POST /api/v1/telemetry/batch answered 400 Bad Request")
	assert.Less(t, len(err.Error()), maxMessageBytes+200)
	assert.False(t, strings.ContainsRune(err.Error(), '\uFFFD'), "the cut keeps UTF-8 valid")
}
