package precogxprocessor // import "github.com/precogxai/precogx-otel/processor/precogxprocessor"

import (
	"context"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/processor/processorhelper"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/precogxai/precogx-otel/internal/genai"
	"github.com/precogxai/precogx-otel/processor/precogxprocessor/internal/metadata"
)

var logDropAttrs = [numDropReasons]metric.AddOption{
	dropNotSelected:   withAttr("reason", "not_genai"),
	dropNoAgentID:     withAttr("reason", "no_agent_id"),
	dropNotAllowed:    withAttr("reason", "not_allowed"),
	dropRandomAgentID: withAttr("reason", "random_agent_id"),
}

// logsProcessor keeps the GenAI event log records (prompts and responses
// that some instrumentations emit as logs) and stamps them with their agent.
type logsProcessor struct {
	agents    *agentIDResolver
	telemetry *metadata.TelemetryBuilder
}

func newLogsProcessor(cfg *Config, logger *zap.Logger, tb *metadata.TelemetryBuilder) *logsProcessor {
	return &logsProcessor{
		agents:    newAgentIDResolver(cfg.AgentID, newRandomIDLog(logger, tb.ProcessorPrecogxRandomAgentIds)),
		telemetry: tb,
	}
}

type logTally struct {
	kept    int64
	dropped [numDropReasons]int64
	memo    verdictMemo
}

func (p *logsProcessor) processLogs(ctx context.Context, ld plog.Logs) (plog.Logs, error) {
	var tally logTally
	ld.ResourceLogs().RemoveIf(func(rl plog.ResourceLogs) bool {
		resAttrs := rl.Resource().Attributes()
		rl.ScopeLogs().RemoveIf(func(sl plog.ScopeLogs) bool {
			sl.LogRecords().RemoveIf(func(lr plog.LogRecord) bool {
				return !p.keepRecord(ctx, lr, resAttrs, &tally)
			})
			return sl.LogRecords().Len() == 0
		})
		return rl.ScopeLogs().Len() == 0
	})
	p.record(ctx, &tally)
	if ld.ResourceLogs().Len() == 0 {
		return ld, processorhelper.ErrSkipProcessingData
	}
	return ld, nil
}

func (p *logsProcessor) keepRecord(ctx context.Context, lr plog.LogRecord, resAttrs pcommon.Map, tally *logTally) bool {
	if !genai.IsGenAIEvent(lr) {
		tally.dropped[dropNotSelected]++
		return false
	}
	attrs := lr.Attributes()
	id, reason := p.agents.resolve(ctx, attrs, resAttrs, &tally.memo)
	if reason != keep {
		tally.dropped[reason]++
		return false
	}
	attrs.PutStr(genai.AttrAgentID, id)
	tally.kept++
	return true
}

func (p *logsProcessor) record(ctx context.Context, tally *logTally) {
	if tally.kept > 0 {
		p.telemetry.ProcessorPrecogxLogRecordsKept.Add(ctx, tally.kept)
	}
	for reason, n := range tally.dropped {
		if n > 0 {
			p.telemetry.ProcessorPrecogxLogRecordsDropped.Add(ctx, n, logDropAttrs[reason])
		}
	}
}
