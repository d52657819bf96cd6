package localserver

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/precogxai/precogx-otel/internal/precogxapi"
)

// refusal is a non-2xx answer of an API path.
type refusal struct {
	status  int
	reason  Reason
	code    string // for ShapeError
	message string
	// issues, when set, are the 422 details, answered in FastAPI's shape
	// {"detail": [{"loc": [...], "msg": ..., "type": ...}]}.
	issues     []issue
	retryAfter int  // seconds; 0 for none
	html       bool // answer an HTML page, as a proxy in front of the API would
}

// issue is one schema violation of a 422.
type issue struct {
	Loc  []any  `json:"loc"`
	Msg  string `json:"msg"`
	Type string `json:"type"`
}

func (i issue) String() string {
	parts := make([]string, 0, len(i.Loc))
	for _, l := range i.Loc {
		parts = append(parts, fmt.Sprint(l))
	}
	return strings.Join(parts, ".") + ": " + i.Msg
}

var (
	refuseUnauthorized = refusal{
		status: http.StatusUnauthorized, reason: ReasonUnauthorized,
		code: "INVALID_API_KEY", message: "Invalid API key",
	}
	refuseAgentLimit = refusal{
		status: http.StatusForbidden, reason: ReasonAgentLimit,
		code: precogxapi.AgentLimitCode, message: precogxapi.AgentLimitDetail,
	}
	refuseNotFound = refusal{
		status: http.StatusNotFound, reason: ReasonNotFound,
		code: "NOT_FOUND", message: "Not Found",
	}
	refuseMethod = refusal{
		status: http.StatusMethodNotAllowed, reason: ReasonMethodNotAllowed,
		code: "METHOD_NOT_ALLOWED", message: "Method Not Allowed",
	}
	refuseShuttingDown = refusal{
		status: http.StatusServiceUnavailable, reason: ReasonShuttingDown,
		code: "SERVICE_UNAVAILABLE", message: "Server shutting down",
	}
	refuseTooLarge = refusal{
		status: http.StatusRequestEntityTooLarge, reason: ReasonTooLarge,
		code: "PAYLOAD_TOO_LARGE", message: "Request body too large",
	}
)

func refuseRateLimited(reason Reason, retryAfter int) refusal {
	return refusal{
		status: http.StatusTooManyRequests, reason: reason,
		code: "RATE_LIMIT_EXCEEDED", message: "Rate limit exceeded", retryAfter: retryAfter,
	}
}

func refuseBadRequest(msg string) refusal {
	return refusal{status: http.StatusBadRequest, reason: ReasonBadRequest, code: "BAD_REQUEST", message: msg}
}

func refuseUnprocessable(issues []issue) refusal {
	msgs := make([]string, len(issues))
	for i, is := range issues {
		msgs[i] = is.String()
	}
	return refusal{
		status: http.StatusUnprocessableEntity, reason: ReasonUnprocessable,
		code: "VALIDATION_ERROR", message: strings.Join(msgs, "; "), issues: issues,
	}
}

// refuseInjected is an injected server error.
func refuseInjected(status int) refusal {
	r := refusal{status: status, reason: ReasonInjectedFault, message: http.StatusText(status)}
	switch status {
	case http.StatusBadGateway:
		r.code, r.html = "BAD_GATEWAY", true
	case http.StatusServiceUnavailable:
		r.code = "SERVICE_UNAVAILABLE"
	default:
		r.code = "INTERNAL_ERROR"
	}
	return r
}

// write answers r in the configured error shape.
func (r refusal) write(w http.ResponseWriter, shape ErrorShape) {
	if r.retryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(r.retryAfter))
	}
	if r.status == http.StatusMethodNotAllowed {
		w.Header().Set("Allow", http.MethodPost)
	}
	if r.html {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(r.status)
		fmt.Fprintf(w, "<html><head><title>%[1]d %[2]s</title></head><body><center><h1>%[1]d %[2]s</h1></center></body></html>\n",
			r.status, r.message)
		return
	}
	var body any
	switch {
	case shape == ShapeError:
		body = precogxapi.CodedError(r.code, r.message)
	case len(r.issues) > 0:
		body = map[string]any{"detail": r.issues}
	default:
		body = precogxapi.DetailError(r.message)
	}
	writeJSON(w, r.status, body)
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	data, err := json.Marshal(body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(data, '\n')) // a client that left cannot be answered
}
