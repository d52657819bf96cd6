//go:generate mdatagen metadata.yaml

// Package precogxexporter sends the interactions of LLM agents, read from the
// GenAI spans their instrumentation emits, to the PrecogX ingest API.
package precogxexporter // import "github.com/precogxai/precogx-otel/exporter/precogxexporter"
