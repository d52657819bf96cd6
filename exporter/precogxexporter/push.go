package precogxexporter // import "github.com/precogxai/precogx-otel/exporter/precogxexporter"

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/exporter/exporterhelper"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/precogxai/precogx-otel/internal/genai"
	"github.com/precogxai/precogx-otel/internal/precogxapi"
)

// push is the state of one export call, shared by its agents.
type push struct {
	e *precogxExporter

	mu sync.Mutex
	// stopped, once set, keeps the call from starting requests: the
	// endpoint asked for a pause, is unreachable, or refuses the key.
	stopped *halt
	// unsent are the source spans of interactions to retry.
	unsent     map[genai.SpanRef]struct{}
	retryErr   error
	retryAfter time.Duration
	// permErr is the first permanent failure; permFailures counts them all.
	permErr      error
	permFailures int
}

// halt says what happens to the interactions a halted call did not send:
// retried, or dropped with reason.
type halt struct {
	retry  bool
	reason string
}

func (p *push) halted() *halt {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stopped
}

func (p *push) stop(h halt) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stopped == nil {
		p.stopped = &h
	}
}

// retry hands the spans of the interactions idx back for a later attempt.
func (p *push) retry(b *genai.AgentBatch, idx []int, err error, after time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.unsent == nil {
		p.unsent = map[genai.SpanRef]struct{}{}
	}
	for _, i := range idx {
		if i < len(b.Sources) {
			for _, ref := range b.Sources[i] {
				p.unsent[ref] = struct{}{}
			}
		}
	}
	if err != nil && p.retryErr == nil {
		p.retryErr = err
	}
	p.retryAfter = max(p.retryAfter, after)
}

func (p *push) fail(err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.permErr == nil {
		p.permErr = err
	}
	p.permFailures++
}

// result turns the call's outcome into the error exporterhelper expects:
// only the unsent interactions' spans come back for retry, so nothing
// delivered is sent twice; a call whose every failure is permanent returns a
// permanent error.
func (p *push) result(td ptrace.Traces) error {
	var permErr error
	if p.permErr != nil {
		permErr = p.permErr
		if p.permFailures > 1 {
			permErr = fmt.Errorf("%w (and %d more failures)", p.permErr, p.permFailures-1)
		}
	}
	if p.retryErr != nil {
		if permErr != nil {
			// The retryable error must not carry the permanent one, or
			// exporterhelper would retry nothing.
			p.e.logger.Warn("Dropped interactions PrecogX will never accept; retrying the others", zap.Error(permErr))
		}
		err := p.retryErr
		if p.retryAfter > 0 {
			err = exporterhelper.NewThrottleRetry(err, p.retryAfter)
		}
		return consumererror.NewTraces(err, genai.SelectSpans(td, p.unsent))
	}
	if permErr != nil {
		return consumererror.NewPermanent(permErr)
	}
	return nil
}

// agentSend sends one agent's interactions, one request at a time, so the
// first answer about the plan's agent limit decides for the rest.
type agentSend struct {
	*push
	batch   *genai.AgentBatch
	enc     *encodedInteractions
	probing bool
}

func (p *push) sendAgent(ctx context.Context, b *genai.AgentBatch) {
	e := p.e
	adm := e.limits.admit(b.AgentID)
	if adm == admitDrop {
		e.countDropped(ctx, reasonAgentLimit, len(b.Interactions))
		e.limits.addDropped(b.AgentID, len(b.Interactions))
		return
	}
	enc, unencodable := encodeInteractions(b.Interactions)
	a := &agentSend{push: p, batch: b, enc: enc, probing: adm == admitProbe}
	defer func() {
		if a.probing { // the probe ended before any answer
			e.limits.release(b.AgentID)
		}
	}()
	if len(unencodable) > 0 {
		a.drop(ctx, unencodable, reasonUnencodable,
			fmt.Errorf("agent %q: %d interactions could not be encoded as JSON", b.AgentID, len(unencodable)))
	}
	requests, tooLarge := enc.pack(e.cfg.MaxInteractionsPerRequest, e.cfg.MaxRequestBytes)
	if len(tooLarge) > 0 {
		a.drop(ctx, tooLarge, reasonTooLarge,
			fmt.Errorf("agent %q: %d interactions are larger than max_request_bytes (%d) on their own", b.AgentID, len(tooLarge), e.cfg.MaxRequestBytes))
	}
	a.run(ctx, requests)
}

// run sends the requests in order. A request may be split (413) or resent
// one interaction at a time (batch endpoint missing): the pieces go to the
// front of the queue.
func (a *agentSend) run(ctx context.Context, queue [][]int) {
	e := a.e
	for len(queue) > 0 {
		idx := queue[0]
		queue = queue[1:]
		if h := a.halted(); h != nil {
			a.settleHalted(ctx, h, append(queue, idx))
			return
		}
		single := e.single.Load()
		if single && len(idx) > 1 {
			queue = append(singles(idx), queue...)
			continue
		}

		ans := a.send(ctx, idx, single)
		a.decideProbe(ans.kind)
		err := ans.err
		if err != nil {
			err = fmt.Errorf("agent %q: %w", a.batch.AgentID, err)
		}
		switch ans.kind {
		case answerAccepted:
			a.delivered(ctx, idx, ans.body, single)
		case answerAgentLimit:
			a.overLimit(ctx, append(queue, idx), ans)
			return
		case answerTooLarge:
			if len(idx) > 1 {
				half := len(idx) / 2
				queue = append([][]int{idx[:half], idx[half:]}, queue...)
				continue
			}
			a.drop(ctx, idx, reasonTooLarge, err)
		case answerNotFound:
			if !single {
				e.fallBackToSingle(ans.err.Error())
				queue = append([][]int{idx}, queue...)
				continue
			}
			// The ingest endpoint itself is missing: nothing will get through.
			a.stop(halt{reason: reasonUnexpectedStatus})
			a.drop(ctx, idx, reasonUnexpectedStatus, err)
		case answerUnauthorized:
			a.stop(halt{reason: reasonUnauthorized})
			e.authLog.Do(func() {
				e.logger.Error("PrecogX refused the API key; check api_key and its permissions in the PrecogX dashboard", zap.Error(err))
			})
			a.drop(ctx, idx, reasonUnauthorized, err)
		case answerRejected:
			a.drop(ctx, idx, reasonRejected, err)
		case answerRetryable:
			if ans.backOff {
				a.stop(halt{retry: true})
			}
			// This agent's later requests wait for the retry too, so its
			// interactions keep their order.
			for _, rest := range append(queue, idx) {
				a.retry(a.batch, rest, err, ans.retryAfter)
			}
			return
		default:
			a.drop(ctx, idx, reasonUnexpectedStatus, err)
		}
	}
}

func (a *agentSend) send(ctx context.Context, idx []int, single bool) answer {
	if single {
		return a.e.post(ctx, precogxapi.PathIngest, a.enc.json(idx[0]))
	}
	return a.e.post(ctx, precogxapi.PathBatch, a.enc.batchBody(idx))
}

// decideProbe ends a probe with the first answer: a refusal restarts the
// cooldown, an acceptance clears the agent, anything else leaves the
// question to the next call.
func (a *agentSend) decideProbe(kind answerKind) {
	switch kind {
	case answerAccepted:
		a.e.limits.accept(a.batch.AgentID)
	case answerAgentLimit:
		// overLimit records the refusal.
	default:
		if a.probing {
			a.e.limits.release(a.batch.AgentID)
		}
	}
	a.probing = false
}

// overLimit drops the agent's unsent interactions and starts its cooldown,
// warning once per cooldown.
func (a *agentSend) overLimit(ctx context.Context, queue [][]int, ans answer) {
	e, agent := a.e, a.batch.AgentID
	if e.limits.refuse(agent) {
		e.logger.Warn("PrecogX refused this agent: the plan's agent limit is reached. Its interactions are dropped until the cooldown ends, then one request asks again. "+
			"Upgrade the PrecogX plan, or deactivate retired agents in the PrecogX dashboard to free a slot.",
			zap.String("agent_id", agent),
			zap.Duration("cooldown", e.cfg.AgentLimit.Cooldown),
			zap.String("answer", strings.TrimPrefix(e.serverMessage(ans.body), ": ")))
	}
	n := 0
	for _, idx := range queue {
		n += len(idx)
	}
	e.countDropped(ctx, reasonAgentLimit, n)
	e.limits.addDropped(agent, n)
}

// settleHalted retries or drops what a halted call did not send.
func (a *agentSend) settleHalted(ctx context.Context, h *halt, queue [][]int) {
	for _, idx := range queue {
		if h.retry {
			a.retry(a.batch, idx, nil, 0)
		} else {
			a.e.countDropped(ctx, h.reason, len(idx))
		}
	}
}

func (a *agentSend) drop(ctx context.Context, idx []int, reason string, err error) {
	a.e.countDropped(ctx, reason, len(idx))
	a.fail(err)
}

// delivered counts the interactions and the verdicts of an accepted request.
func (a *agentSend) delivered(ctx context.Context, idx []int, body []byte, single bool) {
	e := a.e
	e.telemetry.ExporterPrecogxInteractionsSent.Add(ctx, int64(len(idx)))
	verdicts, err := parseVerdicts(body, single)
	if err != nil {
		e.logger.Debug("Unreadable PrecogX verdicts", zap.String("agent_id", a.batch.AgentID), zap.Error(err))
		return
	}
	for k, v := range verdicts {
		if v.Action == "" && v.RiskScore == nil && len(v.Flags) == 0 {
			continue // an entry without a verdict, such as {"status": "success"}
		}
		action := verdictAction(v.Action)
		e.telemetry.ExporterPrecogxVerdicts.Add(ctx, 1, metric.WithAttributes(attribute.String("action", action)))
		if action != precogxapi.ActionBlock {
			continue
		}
		fields := []zap.Field{zap.String("agent_id", a.batch.AgentID)}
		// Verdicts answer the interactions in order when there is one each.
		if len(verdicts) == len(idx) {
			md := a.batch.Interactions[idx[k]].Metadata
			fields = append(fields,
				zap.String("trace_id", md.TraceID),
				zap.String("span_id", md.SpanID),
				zap.String("interaction_id", md.InteractionID))
		}
		if v.RiskScore != nil {
			fields = append(fields, zap.Float64("risk_score", *v.RiskScore))
		}
		fields = append(fields, zap.Strings("flags", v.Flags))
		e.logger.Warn("PrecogX blocked an interaction", fields...)
	}
}

// parseVerdicts reads the verdicts of a 2xx answer, one per interaction when
// the server answers each; an empty body has none.
func parseVerdicts(body []byte, single bool) ([]precogxapi.Verdict, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, nil
	}
	if single {
		var v precogxapi.Verdict
		if err := json.Unmarshal(body, &v); err != nil {
			return nil, err
		}
		return []precogxapi.Verdict{v}, nil
	}
	var br precogxapi.BatchResponse
	if err := json.Unmarshal(body, &br); err != nil {
		return nil, err
	}
	if len(br.Results) > 0 {
		return br.Results, nil
	}
	return br.Verdicts, nil
}

// verdictAction bounds the action attribute to the documented values.
func verdictAction(action string) string {
	switch a := strings.ToUpper(strings.TrimSpace(action)); a {
	case precogxapi.ActionAllow, precogxapi.ActionReview, precogxapi.ActionBlock:
		return a
	}
	return "unknown"
}

func singles(idx []int) [][]int {
	out := make([][]int, len(idx))
	for k := range idx {
		out[k] = idx[k : k+1]
	}
	return out
}
