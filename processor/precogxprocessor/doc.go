// Package precogxprocessor keeps the spans PrecogX analyses (LLM calls, tool
// executions, agent invocations) and the GenAI event log records, and stamps
// each with the agent it belongs to (precogx.agent_id) and its class
// (precogx.kind), so the precogx exporter and any processor in between agree
// on both.
//
//go:generate mdatagen metadata.yaml
package precogxprocessor // import "github.com/precogxai/precogx-otel/processor/precogxprocessor"
