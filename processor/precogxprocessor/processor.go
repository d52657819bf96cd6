package precogxprocessor // import "github.com/precogxai/precogx-otel/processor/precogxprocessor"

import (
	"context"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor/processorhelper"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/precogxai/precogx-otel/internal/genai"
	"github.com/precogxai/precogx-otel/processor/precogxprocessor/internal/metadata"
)

const numKinds = int(genai.KindAgent) + 1

// Metric attribute sets, built once so recording a batch does not allocate them.
var (
	spanKindAttrs = [numKinds]metric.AddOption{
		genai.KindOther: withAttr("kind", "other"),
		genai.KindLLM:   withAttr("kind", "llm"),
		genai.KindTool:  withAttr("kind", "tool"),
		genai.KindAgent: withAttr("kind", "agent"),
	}
	spanDropAttrs = [numDropReasons]metric.AddOption{
		dropNotSelected:   withAttr("reason", "not_llm"),
		dropNoAgentID:     withAttr("reason", "no_agent_id"),
		dropNotAllowed:    withAttr("reason", "not_allowed"),
		dropRandomAgentID: withAttr("reason", "random_agent_id"),
	}
)

func withAttr(key, value string) metric.AddOption {
	return metric.WithAttributeSet(attribute.NewSet(attribute.String(key, value)))
}

// tracesProcessor keeps the spans PrecogX analyses and stamps them with their
// agent and class.
type tracesProcessor struct {
	keepAll   bool
	agents    *agentIDResolver
	telemetry *metadata.TelemetryBuilder
}

func newTracesProcessor(cfg *Config, logger *zap.Logger, tb *metadata.TelemetryBuilder) *tracesProcessor {
	return &tracesProcessor{
		keepAll:   cfg.Spans == SpansAll,
		agents:    newAgentIDResolver(cfg.AgentID, newRandomIDLog(logger, tb.ProcessorPrecogxRandomAgentIds)),
		telemetry: tb,
	}
}

// spanTally counts one batch, so metrics are recorded once per batch.
type spanTally struct {
	kept    [numKinds]int64
	dropped [numDropReasons]int64
	memo    verdictMemo
}

func (p *tracesProcessor) processTraces(ctx context.Context, td ptrace.Traces) (ptrace.Traces, error) {
	var tally spanTally
	td.ResourceSpans().RemoveIf(func(rs ptrace.ResourceSpans) bool {
		resAttrs := rs.Resource().Attributes()
		rs.ScopeSpans().RemoveIf(func(ss ptrace.ScopeSpans) bool {
			ss.Spans().RemoveIf(func(span ptrace.Span) bool {
				return !p.keepSpan(ctx, span, resAttrs, &tally)
			})
			return ss.Spans().Len() == 0
		})
		return rs.ScopeSpans().Len() == 0
	})
	p.record(ctx, &tally)
	if td.ResourceSpans().Len() == 0 {
		return td, processorhelper.ErrSkipProcessingData
	}
	return td, nil
}

// keepSpan classifies a span and stamps it with its agent and class, or
// counts why it must go.
func (p *tracesProcessor) keepSpan(ctx context.Context, span ptrace.Span, resAttrs pcommon.Map, tally *spanTally) bool {
	kind := genai.Classify(span)
	if kind == genai.KindOther && !p.keepAll {
		tally.dropped[dropNotSelected]++
		return false
	}
	attrs := span.Attributes()
	id, reason := p.agents.resolve(ctx, attrs, resAttrs, &tally.memo)
	if reason != keep {
		tally.dropped[reason]++
		return false
	}
	attrs.PutStr(genai.AttrAgentID, id)
	if kind == genai.KindOther {
		attrs.Remove(genai.AttrKind) // a class stamped upstream no longer holds
	} else {
		attrs.PutStr(genai.AttrKind, kind.String())
	}
	tally.kept[kind]++
	return true
}

func (p *tracesProcessor) record(ctx context.Context, tally *spanTally) {
	for kind, n := range tally.kept {
		if n > 0 {
			p.telemetry.ProcessorPrecogxSpansKept.Add(ctx, n, spanKindAttrs[kind])
		}
	}
	for reason, n := range tally.dropped {
		if n > 0 {
			p.telemetry.ProcessorPrecogxSpansDropped.Add(ctx, n, spanDropAttrs[reason])
		}
	}
}
