package agentsim // import "github.com/precogxai/precogx-otel/internal/agentsim"

import (
	"net/http"
	"time"

	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
)

// defaultBatchExportTimeout is the batch span processor's own default.
const defaultBatchExportTimeout = 30 * time.Second

// exportRetry is the OTLP exporter's retry policy for Config.ExportRetry:
// short back-offs up to that bound, so an agent is back soon after the
// collector is; none (the exporter's defaults) when the bound is zero.
func exportRetry(bound time.Duration) []otlptracehttp.Option {
	if bound <= 0 {
		return nil
	}
	return []otlptracehttp.Option{otlptracehttp.WithRetry(otlptracehttp.RetryConfig{
		Enabled:         true,
		InitialInterval: 200 * time.Millisecond,
		MaxInterval:     2 * time.Second,
		MaxElapsedTime:  bound,
	})}
}

// batchExportTimeout leaves room for every retry of one export: the batch
// span processor cancels an export call after its timeout.
func batchExportTimeout(bound time.Duration) time.Duration {
	return max(defaultBatchExportTimeout, bound+exportTimeout)
}

// retryingTransport marks transport failures as temporary when bound is
// positive. The OTLP exporter retries only temporary network errors and
// 429/502/503/504 answers; a collector that is restarting refuses the
// connection, or closes it before answering, which it would not retry.
func retryingTransport(next http.RoundTripper, bound time.Duration) http.RoundTripper {
	if bound <= 0 {
		return next
	}
	return temporaryFailures{next}
}

type temporaryFailures struct{ next http.RoundTripper }

func (t temporaryFailures) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req)
	if err != nil && req.Context().Err() == nil {
		return nil, temporaryError{err}
	}
	return resp, err
}

// temporaryError makes net/http's url.Error report Temporary.
type temporaryError struct{ error }

func (temporaryError) Temporary() bool { return true }

func (e temporaryError) Unwrap() error { return e.error }
