package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/precogxai/precogx-otel/internal/localserver"
	"github.com/precogxai/precogx-otel/internal/testbed"
)

// badInputMemoryLimitMiB is the memory_limiter's limit in the bad-input
// run; the collector's peak RSS must stay within twice that.
const badInputMemoryLimitMiB = 512

// genaiTrace is one OTel GenAI chat span of agent with prompt and response.
func genaiTrace(agent, prompt, response string) ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", agent)
	fillChatSpan(rs.ScopeSpans().AppendEmpty().Spans().AppendEmpty(), prompt, response)
	return td
}

// fillChatSpan makes span an OTel GenAI chat span with fresh ids.
func fillChatSpan(span ptrace.Span, prompt, response string) {
	span.SetTraceID(randomTraceID())
	span.SetSpanID(randomSpanID())
	span.SetName("chat gpt-4o")
	span.SetKind(ptrace.SpanKindClient)
	now := time.Now()
	span.SetStartTimestamp(pcommon.NewTimestampFromTime(now.Add(-time.Second)))
	span.SetEndTimestamp(pcommon.NewTimestampFromTime(now))
	a := span.Attributes()
	a.PutStr("gen_ai.operation.name", "chat")
	a.PutStr("gen_ai.provider.name", "openai")
	a.PutStr("gen_ai.request.model", "gpt-4o")
	a.PutStr("gen_ai.input.messages", mustJSON([]any{map[string]any{"role": "user", "parts": []any{map[string]any{"type": "text", "content": prompt}}}}))
	a.PutStr("gen_ai.output.messages", mustJSON([]any{map[string]any{"role": "assistant", "finish_reason": "stop", "parts": []any{map[string]any{"type": "text", "content": response}}}}))
}

func mustJSON(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(err)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

func randomTraceID() pcommon.TraceID {
	var id pcommon.TraceID
	_, _ = rand.Read(id[:])
	return id
}

func randomSpanID() pcommon.SpanID {
	var id pcommon.SpanID
	_, _ = rand.Read(id[:])
	return id
}

// extractedKeys are the attributes internal/genai reads, each of which the
// wrong-type case sets to every other type.
var extractedKeys = []string{
	"ai.model.id", "ai.model.provider", "ai.operationId", "ai.prompt", "ai.prompt.messages", "ai.response.finishReason",
	"ai.response.model", "ai.response.object", "ai.response.reasoning", "ai.response.reasoningText", "ai.response.text",
	"ai.response.toolCalls", "ai.settings.maxOutputTokens", "ai.settings.maxTokens", "ai.settings.temperature",
	"ai.telemetry.functionId", "ai.telemetry.metadata.conversationId", "ai.telemetry.metadata.sessionId",
	"ai.telemetry.metadata.threadId", "ai.telemetry.metadata.userId", "ai.toolCall.args", "ai.toolCall.id",
	"ai.toolCall.input", "ai.toolCall.name", "ai.toolCall.output", "ai.toolCall.result", "ai.usage.completionTokens",
	"ai.usage.inputTokens", "ai.usage.outputTokens", "ai.usage.promptTokens", "ai.usage.totalTokens",
	"deployment.environment", "deployment.environment.name", "exception.message",
	"gen_ai.agent.name", "gen_ai.completion", "gen_ai.completion.0.content", "gen_ai.completion.0.role",
	"gen_ai.content.completion", "gen_ai.content.prompt", "gen_ai.conversation.id", "gen_ai.input.messages",
	"gen_ai.main_agent.name", "gen_ai.operation.name", "gen_ai.output.messages", "gen_ai.prompt", "gen_ai.prompt.0.content",
	"gen_ai.prompt.0.role", "gen_ai.provider.name", "gen_ai.request.max_tokens", "gen_ai.request.model",
	"gen_ai.request.temperature", "gen_ai.response.finish_reasons", "gen_ai.response.model", "gen_ai.system",
	"gen_ai.system_instructions", "gen_ai.tool.call.arguments", "gen_ai.tool.call.id", "gen_ai.tool.call.result",
	"gen_ai.tool.definitions", "gen_ai.tool.name", "gen_ai.usage.completion_tokens", "gen_ai.usage.input_tokens",
	"gen_ai.usage.output_tokens", "gen_ai.usage.prompt_tokens", "gen_ai.usage.total_tokens", "gen_ai.user",
	"input.value", "langfuse.observation.input", "langfuse.observation.model.name", "langfuse.observation.model.parameters",
	"langfuse.observation.output", "langfuse.observation.type", "langfuse.observation.usage_details", "langfuse.session.id",
	"langfuse.user.id", "langsmith.metadata.conversation_id", "langsmith.metadata.session_id", "langsmith.metadata.thread_id",
	"langsmith.metadata.user_id", "langsmith.span.kind", "llm.choices.0.message.content", "llm.finish_reason",
	"llm.input_messages.0.message.content", "llm.input_messages.0.message.role", "llm.invocation_parameters",
	"llm.model_name", "llm.output_messages.0.message.content", "llm.prompts", "llm.prompts.0", "llm.provider",
	"llm.request.model_name", "llm.request.type", "llm.response.model_name", "llm.system", "llm.token_count.completion",
	"llm.token_count.prompt", "llm.token_count.total", "llm.usage.total_tokens", "llm.user", "mlflow.chat.tokenUsage",
	"mlflow.llm.model", "mlflow.llm.provider", "mlflow.spanInputs", "mlflow.spanOutputs", "mlflow.spanType",
	"openinference.span.kind", "output.value", "precogx.agent_id", "precogx.kind", "session.id", "tool.id", "tool.name",
	"traceloop.association.properties.conversation_id", "traceloop.association.properties.session_id",
	"traceloop.association.properties.thread_id", "traceloop.association.properties.user_id", "traceloop.entity.input",
	"traceloop.entity.name", "traceloop.entity.output", "traceloop.span.kind", "user.id",
}

// wrongTypes puts a value of every non-string type, and a string that is
// not what the key holds.
var wrongTypes = map[string]func(pcommon.Map, string){
	"int":    func(m pcommon.Map, k string) { m.PutInt(k, -42) },
	"double": func(m pcommon.Map, k string) { m.PutDouble(k, 1e308) },
	"bool":   func(m pcommon.Map, k string) { m.PutBool(k, true) },
	"bytes":  func(m pcommon.Map, k string) { m.PutEmptyBytes(k).FromRaw([]byte{0xff, 0x00, 0xfe}) },
	"slice": func(m pcommon.Map, k string) {
		s := m.PutEmptySlice(k)
		s.AppendEmpty().SetInt(1)
		s.AppendEmpty().SetEmptyMap().PutStr("role", "user")
	},
	"map":    func(m pcommon.Map, k string) { m.PutEmptyMap(k).PutEmptyMap("content").PutInt("x", 1) },
	"empty":  func(m pcommon.Map, k string) { m.PutEmpty(k) },
	"string": func(m pcommon.Map, k string) { m.PutStr(k, `{"role": [1, {"parts": null}], "content": 7`) },
}

// pipelineCounts are the collector's and the server's counts a case moves.
type pipelineCounts struct {
	accepted, kept, procDropped, expDropped float64
	delivered, duplicates                   int64
	dropReasons                             map[string]float64
}

func (p *prodCollector) counts(server *localserver.Server) pipelineCounts {
	m := p.metrics()
	st := server.Stats().Totals
	c := pipelineCounts{
		accepted:    m.Sum("otelcol_receiver_accepted_spans"),
		kept:        m.Sum("otelcol_processor_precogx_spans_kept"),
		procDropped: m.Sum("otelcol_processor_precogx_spans_dropped"),
		expDropped:  m.Sum("otelcol_exporter_precogx_interactions_dropped"),
		delivered:   st.Accepted,
		duplicates:  st.Duplicates,
		dropReasons: map[string]float64{},
	}
	for series, v := range m {
		for _, name := range []string{"otelcol_processor_precogx_spans_dropped", "otelcol_exporter_precogx_interactions_dropped"} {
			if strings.HasPrefix(series, name+"{") {
				_, rest, _ := strings.Cut(series, `reason="`)
				reason, _, _ := strings.Cut(rest, `"`)
				c.dropReasons[strings.TrimPrefix(strings.TrimPrefix(name, "otelcol_"), "_")+"/"+reason] += v
			}
		}
	}
	return c
}

// outcome is what one case did: deltas of the counts.
type outcome struct {
	accepted, kept, procDropped, expDropped float64
	delivered                               int64
	reasons                                 map[string]float64
}

func (o outcome) String() string {
	return fmt.Sprintf("accepted %.0f spans, processor kept %.0f and dropped %.0f, exporter dropped %.0f, PrecogX got %d; drops by reason %v",
		o.accepted, o.kept, o.procDropped, o.expDropped, o.delivered, o.reasons)
}

// settle waits until every span the case sent is accounted for: each span
// the processor kept became a delivered interaction or a counted exporter
// drop (every case sends one LLM span per trace), and returns the deltas.
func settle(t *testing.T, col *prodCollector, server *localserver.Server, before pipelineCounts, sent int) outcome {
	t.Helper()
	var o outcome
	eventually(t, 60*time.Second, func() bool {
		now := col.counts(server)
		o = outcome{
			accepted: now.accepted - before.accepted, kept: now.kept - before.kept,
			procDropped: now.procDropped - before.procDropped, expDropped: now.expDropped - before.expDropped,
			delivered: now.delivered - before.delivered, reasons: map[string]float64{},
		}
		for r, v := range now.dropReasons {
			if d := v - before.dropReasons[r]; d > 0 {
				o.reasons[r] = d
			}
		}
		return o.accepted == float64(sent) && o.kept+o.procDropped == float64(sent) &&
			float64(o.delivered)+o.expDropped == o.kept
	}, "the spans of the case were not all accounted for: %v", &o)
	require.Equal(t, before.duplicates, server.Stats().Totals.Duplicates, "duplicates")
	return o
}

// TestBadInput sends hostile OTLP payloads to the shipped configuration:
// the collector stays up with bounded memory, and every span ends in a
// delivered interaction or a drop counted with its reason.
func TestBadInput(t *testing.T) {
	server, url := startPrecogx(t, localserver.Config{RetainInteractions: 20})
	col := newProdCollector(t, url, localserver.DefaultAPIKey, nil, map[string]string{
		"MEMORY_LIMIT_MIB": strconv.Itoa(badInputMemoryLimitMiB), "MEMORY_SPIKE_MIB": strconv.Itoa(badInputMemoryLimitMiB / 4),
	})
	col.start()
	ctx := context.Background()

	// run sends td as one request and waits until every span is accounted.
	run := func(t *testing.T, td ptrace.Traces) outcome {
		t.Helper()
		before := col.counts(server)
		sendRetrying(t, ctx, col.OTLPHTTP, td)
		o := settle(t, col, server, before, td.SpanCount())
		t.Log(o)
		return o
	}
	lastPrompt := func() string {
		got := server.Interactions()
		require.NotEmpty(t, got)
		return got[len(got)-1].Interaction.Prompt
	}

	t.Run("10MiB prompt", func(t *testing.T) {
		o := run(t, genaiTrace("big-agent", strings.Repeat("x", 10<<20), "fine"))
		require.EqualValues(t, 1, o.delivered, "the interaction, truncated")
		assert.Less(t, len(lastPrompt()), 64<<10, "the prompt was not truncated")
	})
	t.Run("10MiB model name and attribute", func(t *testing.T) {
		td := genaiTrace("big-agent", "hello", "hi")
		a := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).Attributes()
		a.PutStr("gen_ai.request.model", strings.Repeat("m", 5<<20))
		a.PutStr("app.payload", strings.Repeat("p", 5<<20))
		run(t, td)
	})
	t.Run("deeply nested message JSON", func(t *testing.T) {
		td := genaiTrace("deep-agent", "hello", "hi")
		a := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).Attributes()
		a.PutStr("gen_ai.input.messages", strings.Repeat("[", 1<<20)+strings.Repeat("]", 1<<20))
		deepContent := `[{"role":"user","parts":[{"type":"text","content":"hi","x":` + strings.Repeat(`{"a":`, 200000) + `1` + strings.Repeat("}", 200000) + `}]}]`
		a.PutStr("gen_ai.output.messages", deepContent)
		run(t, td)
	})
	t.Run("huge message JSON", func(t *testing.T) {
		msgs := make([]any, 0, 100001)
		for i := range 100000 {
			role := []string{"user", "assistant"}[i%2]
			msgs = append(msgs, map[string]any{"role": role, "parts": []any{map[string]any{"type": "text", "content": "turn " + strconv.Itoa(i)}}})
		}
		msgs = append(msgs, map[string]any{"role": "user", "parts": []any{map[string]any{"type": "text", "content": "the last question"}}})
		td := genaiTrace("chatty-agent", "", "the answer")
		td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).Attributes().PutStr("gen_ai.input.messages", mustJSON(msgs))
		o := run(t, td)
		require.EqualValues(t, 1, o.delivered)
		assert.Equal(t, "the last question", lastPrompt())
	})
	t.Run("invalid UTF-8", func(t *testing.T) {
		bad := "caf\xe9 \xff\xfe ok \xc3"
		td := genaiTrace("utf8-agent-"+bad, "prompt "+bad, "response "+bad)
		a := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).Attributes()
		a.PutStr("gen_ai.request.model", "model-"+bad)
		a.PutStr("gen_ai.conversation.id", bad)
		o := run(t, td)
		require.EqualValues(t, 1, o.delivered)
		got := server.Interactions()[len(server.Interactions())-1]
		assert.True(t, utf8.ValidString(got.Interaction.Prompt), "prompt %q", got.Interaction.Prompt)
		assert.True(t, utf8.ValidString(got.AgentID), "agent %q", got.AgentID)
		assert.Contains(t, got.Interaction.Prompt, "prompt caf")
	})
	t.Run("wrong value types for every extracted attribute", func(t *testing.T) {
		td := ptrace.NewTraces()
		rs := td.ResourceSpans().AppendEmpty()
		rs.Resource().Attributes().PutStr("service.name", "typed-agent")
		spans := rs.ScopeSpans().AppendEmpty().Spans()
		for _, key := range extractedKeys {
			for _, put := range wrongTypes {
				span := spans.AppendEmpty()
				fillChatSpan(span, "what is "+key, "it is "+key)
				put(span.Attributes(), key)
			}
		}
		// The resource attributes the extraction reads, wrong as well.
		for _, key := range []string{"service.name", "service.version", "deployment.environment.name"} {
			for _, put := range wrongTypes {
				r := td.ResourceSpans().AppendEmpty()
				r.Resource().Attributes().PutStr("service.name", "typed-agent")
				put(r.Resource().Attributes(), key)
				fillChatSpan(r.ScopeSpans().AppendEmpty().Spans().AppendEmpty(), "resource "+key, "ok")
			}
		}
		o := run(t, td)
		assert.Positive(t, o.delivered)
	})
	t.Run("100,000 spans in one request", func(t *testing.T) {
		td := ptrace.NewTraces()
		rs := td.ResourceSpans().AppendEmpty()
		rs.Resource().Attributes().PutStr("service.name", "busy-agent")
		spans := rs.ScopeSpans().AppendEmpty().Spans()
		spans.EnsureCapacity(100000)
		for i := range 100000 {
			span := spans.AppendEmpty()
			if i%100 == 0 {
				fillChatSpan(span, "question "+strconv.Itoa(i), "answer")
				continue
			}
			span.SetTraceID(randomTraceID())
			span.SetSpanID(randomSpanID())
			span.SetName("GET /health")
			span.Attributes().PutStr("http.request.method", "GET")
		}
		o := run(t, td)
		assert.EqualValues(t, 1000, o.delivered)
		assert.EqualValues(t, 99000, o.reasons["processor_precogx_spans_dropped/not_llm"])
	})
	t.Run("spans with no resource", func(t *testing.T) {
		td := ptrace.NewTraces()
		rs := td.ResourceSpans().AppendEmpty() // no attributes at all
		for range 3 {
			fillChatSpan(rs.ScopeSpans().AppendEmpty().Spans().AppendEmpty(), "who am I", "nobody")
		}
		td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty() // and empty ones
		o := run(t, td)
		assert.EqualValues(t, 3, o.reasons["processor_precogx_spans_dropped/no_agent_id"])
	})
	t.Run("all-zero ids", func(t *testing.T) {
		td := genaiTrace("zero-agent", "hello", "hi")
		span := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
		span.SetTraceID(pcommon.NewTraceIDEmpty())
		span.SetSpanID(pcommon.NewSpanIDEmpty())
		run(t, td)
	})
	t.Run("ids of the wrong length", func(t *testing.T) {
		before := col.counts(server)
		for name, body := range map[string][]byte{
			"8-byte trace id": rawTraceRequest(make([]byte, 8), make([]byte, 8)),
			"4-byte span id":  rawTraceRequest(make([]byte, 16), make([]byte, 4)),
			"33-byte ids":     rawTraceRequest(make([]byte, 33), make([]byte, 33)),
		} {
			status, msg := postRaw(t, col.OTLPHTTP+"/v1/traces", "application/x-protobuf", body)
			assert.Equal(t, http.StatusBadRequest, status, "%s: %s", name, msg)
		}
		status, msg := postRaw(t, col.OTLPHTTP+"/v1/traces", "application/json",
			[]byte(`{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"abcd","spanId":"0102","name":"chat"}]}]}]}`))
		assert.Equal(t, http.StatusBadRequest, status, "JSON: %s", msg)
		after := col.counts(server)
		assert.Equal(t, before.accepted, after.accepted, "a refused request was counted as accepted")
	})

	// The collector is up, answers, delivers, and its memory stayed bounded.
	require.False(t, col.proc.Exited(), "the collector died:\n%s", col.proc.Log())
	o := run(t, genaiTrace("after-agent", "still there?", "yes"))
	assert.EqualValues(t, 1, o.delivered)
	status, _ := postRaw(t, col.HealthURL, "", nil)
	assert.Equal(t, http.StatusOK, status)
	mem := peakRSS(t, col.proc.PID())
	t.Logf("peak RSS %d MiB", mem>>20)
	assert.Less(t, mem, int64(2*badInputMemoryLimitMiB)<<20, "peak RSS")
}

// rawTraceRequest builds an OTLP ExportTraceServiceRequest by hand, with
// ids of any length (pdata refuses to build such ids).
func rawTraceRequest(traceID, spanID []byte) []byte {
	var span []byte
	span = protowire.AppendTag(span, 1, protowire.BytesType)
	span = protowire.AppendBytes(span, traceID)
	span = protowire.AppendTag(span, 2, protowire.BytesType)
	span = protowire.AppendBytes(span, spanID)
	span = protowire.AppendTag(span, 5, protowire.BytesType)
	span = protowire.AppendString(span, "chat")
	var scope []byte
	scope = protowire.AppendTag(scope, 2, protowire.BytesType)
	scope = protowire.AppendBytes(scope, span)
	var value []byte // AnyValue{string_value}
	value = protowire.AppendTag(value, 1, protowire.BytesType)
	value = protowire.AppendString(value, "raw-agent")
	var kv []byte
	kv = protowire.AppendTag(kv, 1, protowire.BytesType)
	kv = protowire.AppendString(kv, "service.name")
	kv = protowire.AppendTag(kv, 2, protowire.BytesType)
	kv = protowire.AppendBytes(kv, value)
	var resource []byte
	resource = protowire.AppendTag(resource, 1, protowire.BytesType)
	resource = protowire.AppendBytes(resource, kv)
	var rs []byte
	rs = protowire.AppendTag(rs, 1, protowire.BytesType)
	rs = protowire.AppendBytes(rs, resource)
	rs = protowire.AppendTag(rs, 2, protowire.BytesType)
	rs = protowire.AppendBytes(rs, scope)
	var req []byte
	req = protowire.AppendTag(req, 1, protowire.BytesType)
	return protowire.AppendBytes(req, rs)
}

func postRaw(t *testing.T, url, contentType string, body []byte) (int, string) {
	t.Helper()
	method := http.MethodPost
	if body == nil {
		method = http.MethodGet
	}
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	require.NoError(t, err)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var msg bytes.Buffer
	_, _ = msg.ReadFrom(resp.Body)
	return resp.StatusCode, msg.String()
}

// sendRetrying sends td as an agent would: a refusal the collector marks
// retryable (memory limit, full queue) is retried for up to 30 seconds.
func sendRetrying(t *testing.T, ctx context.Context, base string, td ptrace.Traces) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		err := testbed.SendTraces(ctx, base, td)
		if err == nil {
			return
		}
		retryable := strings.Contains(err.Error(), "503") || strings.Contains(err.Error(), "429")
		require.True(t, retryable && time.Now().Before(deadline), "send: %v", err)
		time.Sleep(time.Second)
	}
}

// peakRSS is the VmHWM of pid, in bytes.
func peakRSS(t *testing.T, pid int) int64 {
	t.Helper()
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	require.NoError(t, err)
	for _, line := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			require.NoError(t, err)
			return kb << 10
		}
	}
	t.Fatalf("no VmHWM in /proc/%d/status", pid)
	return 0
}
