package precogxexporter // import "github.com/precogxai/precogx-otel/exporter/precogxexporter"

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/precogxai/precogx-otel/internal/precogxapi"
)

const (
	// maxResponseBytes bounds how much of an answer is read: verdicts and
	// error bodies are small, and a misbehaving server must not grow memory.
	maxResponseBytes = 64 << 10
	// maxMessageBytes bounds the server message kept in errors and logs.
	maxMessageBytes = 512

	headerRetryAfter  = "Retry-After"
	headerContentType = "Content-Type"
	headerUserAgent   = "User-Agent"
	contentTypeJSON   = "application/json"
)

// answerKind is what an answer means for the interactions of its request.
type answerKind uint8

const (
	answerAccepted     answerKind = iota // 2xx
	answerAgentLimit                     // 403 agent limit: the agent is over the plan's limit
	answerUnauthorized                   // 401, any other 403: the key can send nothing
	answerRejected                       // 400, 422: this request is invalid
	answerTooLarge                       // 413
	answerNotFound                       // 404, 405: the endpoint does not exist
	answerRetryable                      // 429, 500, 502, 503, 504, network errors
	answerUnexpected                     // any other status
)

// answer is the outcome of one request.
type answer struct {
	kind answerKind
	body []byte // at most maxResponseBytes of the response body
	err  error  // why the request failed; nil when accepted
	// backOff is set when the whole endpoint asks for a pause (429, 503) or
	// cannot be reached, so the export call starts no further request.
	backOff    bool
	retryAfter time.Duration // from Retry-After; 0 when absent
}

// classify maps a status code and body to the kind of answer.
func classify(status int, body []byte) answerKind {
	switch {
	case status >= 200 && status <= 299:
		return answerAccepted
	case status == http.StatusForbidden && precogxapi.IsAgentLimit(body):
		return answerAgentLimit
	case status == http.StatusUnauthorized, status == http.StatusForbidden:
		return answerUnauthorized
	case status == http.StatusBadRequest, status == http.StatusUnprocessableEntity:
		return answerRejected
	case status == http.StatusRequestEntityTooLarge:
		return answerTooLarge
	case status == http.StatusNotFound, status == http.StatusMethodNotAllowed:
		return answerNotFound
	case status == http.StatusTooManyRequests,
		status == http.StatusInternalServerError,
		status == http.StatusBadGateway,
		status == http.StatusServiceUnavailable,
		status == http.StatusGatewayTimeout:
		return answerRetryable
	default:
		return answerUnexpected
	}
}

// post sends one JSON body to path and reads the answer.
func (e *precogxExporter) post(ctx context.Context, path string, body []byte) answer {
	if e.limiter != nil {
		if err := e.limiter.Wait(ctx); err != nil {
			return answer{kind: answerRetryable, backOff: true, err: fmt.Errorf("waiting for rate_limit before POST %s: %w", path, err)}
		}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.endpoint+path, bytes.NewReader(body))
	if err != nil {
		return answer{kind: answerUnexpected, err: fmt.Errorf("building POST %s: %w", path, err)}
	}
	req.Header.Set(precogxapi.HeaderAPIKey, e.apiKey)
	req.Header.Set(headerContentType, contentTypeJSON)
	req.Header.Set(headerUserAgent, e.userAgent)

	e.telemetry.ExporterPrecogxRequestBytes.Add(ctx, int64(len(body)))
	resp, err := e.client.Do(req)
	if err != nil {
		e.countRequest(ctx, "network")
		return answer{kind: answerRetryable, backOff: true, err: fmt.Errorf("POST %s: %w", path, err)}
	}
	defer func() {
		// Drain a bounded rest so the connection can be reused, then close.
		_, _ = io.CopyN(io.Discard, resp.Body, maxResponseBytes)
		_ = resp.Body.Close()
	}()
	e.countRequest(ctx, statusClass(resp.StatusCode))

	respBody, _ := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	a := answer{kind: classify(resp.StatusCode, respBody), body: respBody}
	if a.kind == answerAccepted {
		// A body cut short only costs verdicts; the interactions arrived.
		return a
	}
	a.err = fmt.Errorf("POST %s answered %d %s%s", path, resp.StatusCode, http.StatusText(resp.StatusCode), e.serverMessage(respBody))
	if a.kind == answerRetryable {
		a.backOff = resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable
		a.retryAfter = retryAfter(resp.Header, e.now())
	}
	return a
}

func (e *precogxExporter) countRequest(ctx context.Context, class string) {
	e.telemetry.ExporterPrecogxRequests.Add(ctx, 1, metric.WithAttributes(attribute.String("status_class", class)))
}

func statusClass(status int) string {
	switch status / 100 {
	case 2:
		return "2xx"
	case 3:
		return "3xx"
	case 4:
		return "4xx"
	case 5:
		return "5xx"
	}
	return "other"
}

// serverMessage returns ": <message>" from an error body, bounded and with
// the API key masked in case a server echoes it, or "" when there is none.
func (e *precogxExporter) serverMessage(body []byte) string {
	var eb precogxapi.ErrorBody
	msg := ""
	if json.Unmarshal(body, &eb) == nil {
		msg = eb.Message()
	} else {
		msg = strings.TrimSpace(string(body))
	}
	if msg == "" {
		return ""
	}
	if e.apiKey != "" {
		msg = strings.ReplaceAll(msg, e.apiKey, "[REDACTED]")
	}
	if len(msg) > maxMessageBytes {
		msg = msg[:maxMessageBytes] + "..."
	}
	return ": " + strings.ToValidUTF8(msg, "")
}

// retryAfter reads a Retry-After header given in seconds or as an HTTP date;
// 0 when absent, invalid or already past.
func retryAfter(h http.Header, now time.Time) time.Duration {
	v := strings.TrimSpace(h.Get(headerRetryAfter))
	if v == "" {
		return 0
	}
	if seconds, err := strconv.Atoi(v); err == nil {
		return max(time.Duration(seconds)*time.Second, 0)
	}
	if date, err := http.ParseTime(v); err == nil {
		return max(date.Sub(now), 0)
	}
	return 0
}
