package precogxexporter

import (
	"testing"

	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/precogxai/precogx-otel/internal/benchcorpus"
	"github.com/precogxai/precogx-otel/internal/genai"
	"github.com/precogxai/precogx-otel/internal/precogxapi"
)

// corpusLLMSpans returns one convention's LLM spans of the benchmark
// corpus, or every convention's ("all").
func corpusLLMSpans(conv string, bytes int) ptrace.Traces {
	if conv != "all" {
		return benchcorpus.LLMSpans(conv, bytes)
	}
	td := ptrace.NewTraces()
	for _, c := range benchcorpus.Conventions {
		benchcorpus.LLMSpans(c, bytes).ResourceSpans().MoveAndAppendTo(td.ResourceSpans())
	}
	return td
}

// corpusCase is one benchmark input: a content size and a convention.
type corpusCase struct {
	name, conv string
	bytes      int
}

// corpusCases are every size with all conventions in one batch, and each
// convention on its own at 1 KiB (content size matters more than the
// convention beyond that).
func corpusCases(perConvention bool) []corpusCase {
	var out []corpusCase
	for _, size := range benchcorpus.Sizes {
		out = append(out, corpusCase{size.Name + "/all", "all", size.Bytes})
		if perConvention && size.Bytes == 1<<10 {
			for _, conv := range benchcorpus.Conventions {
				out = append(out, corpusCase{size.Name + "/" + conv, conv, size.Bytes})
			}
		}
	}
	return out
}

// BenchmarkConvertEncode is the exporter's CPU work per LLM span: the
// conversion to interactions and their JSON encoding into request bodies.
// SetBytes is the string content of the spans; json-B/span the request
// body bytes produced.
func BenchmarkConvertEncode(b *testing.B) {
	for _, c := range corpusCases(true) {
		b.Run(c.name, func(b *testing.B) {
			td := corpusLLMSpans(c.conv, c.bytes)
			opts := genai.Options{MaxFieldBytes: defaultMaxFieldBytes}
			body := 0
			for _, batch := range genai.Convert(td, opts).Batches {
				body += len(encodeAll(batch.Interactions))
			}
			b.SetBytes(benchcorpus.ContentBytes(td))
			benchcorpus.PerSpan(b, td.SpanCount(), func(*benchcorpus.Meter) {
				for _, batch := range genai.Convert(td, opts).Batches {
					encodeAll(batch.Interactions)
				}
			})
			b.ReportMetric(float64(body)/float64(td.SpanCount()), "json-B/span")
		})
	}
}

// BenchmarkEncode is the JSON encoding alone, per interaction.
func BenchmarkEncode(b *testing.B) {
	for _, c := range corpusCases(false) {
		b.Run(c.name, func(b *testing.B) {
			res := genai.Convert(corpusLLMSpans(c.conv, c.bytes), genai.Options{MaxFieldBytes: defaultMaxFieldBytes})
			n, body := 0, 0
			for _, batch := range res.Batches {
				n += len(batch.Interactions)
				body += len(encodeAll(batch.Interactions))
			}
			b.SetBytes(int64(body))
			benchcorpus.PerSpan(b, n, func(*benchcorpus.Meter) {
				for _, batch := range res.Batches {
					encodeAll(batch.Interactions)
				}
			})
		})
	}
}

// encodeAll encodes, packs and lays out the request bodies of one agent's
// interactions, as sendAgent does before sending.
func encodeAll(list []precogxapi.Interaction) []byte {
	enc, _ := encodeInteractions(list)
	requests, _ := enc.pack(defaultMaxInteractionsPerRequest, defaultMaxRequestBytes)
	var last []byte
	for _, idx := range requests {
		last = enc.batchBody(idx)
	}
	return last
}
