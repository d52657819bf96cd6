// Package localserver is a local stand-in for the PrecogX ingest API
// (/work/shared/precogx-api.md): the demo backend, the end-to-end test bed,
// the benchmark backend and the fault injector of precogx-otel.
//
// It speaks the documented API: POST /api/v1/telemetry/ingest and
// /api/v1/telemetry/batch with x-api-key or Bearer authentication, per-key
// plans that refuse a new agent_id beyond the plan's limit with the exact
// documented 403 body, per-key rate limits answering 429 with Retry-After,
// 400/413/422 validation, and verdicts from small built-in detectors scored
// with the documented thresholds (ALLOW < 0.40 <= REVIEW < 0.90 <= BLOCK).
//
// Beside the API it serves GET /stats, GET /healthz and GET|POST
// /admin/faults; faults are injected on the API paths only, so a test can
// always read the statistics and lift the faults it set.
//
// Order of the checks on an API request, which decides the answer when
// several apply: routing (404 when batch is disabled, 405), outage and
// dropped connection, body size (413), added latency, authentication (401),
// content type and decoding (400, 422), injected 5xx and 429, the key's rate
// limit (429), the plan's agent limit (403). Faults and limits that act after
// decoding are counted against the agents named in the body.
package localserver // import "github.com/precogxai/precogx-otel/internal/localserver"
