package genai

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/precogxai/precogx-otel/internal/fixtures"
	"github.com/precogxai/precogx-otel/internal/precogxapi"
)

// joinLogs does what the exporter's join does once both halves are in:
// the records of ld go to their spans in td as events, and records whose
// span is not in td become stand-in spans.
func joinLogs(t testing.TB, td ptrace.Traces, ld plog.Logs) ptrace.Traces {
	t.Helper()
	out := ptrace.NewTraces()
	td.CopyTo(out)
	groups := map[SpanRef]plog.Logs{}
	var order []SpanRef
	for _, rl := range ld.ResourceLogs().All() {
		for _, sl := range rl.ScopeLogs().All() {
			for _, lr := range sl.LogRecords().All() {
				require.True(t, IsGenAIEvent(lr))
				ref := SpanRef{TraceID: lr.TraceID(), SpanID: lr.SpanID()}
				g, ok := groups[ref]
				if !ok {
					g = plog.NewLogs()
					groups[ref] = g
					order = append(order, ref)
				}
				dst := g.ResourceLogs().AppendEmpty()
				rl.Resource().CopyTo(dst.Resource())
				dsl := dst.ScopeLogs().AppendEmpty()
				sl.Scope().CopyTo(dsl.Scope())
				lr.CopyTo(dsl.LogRecords().AppendEmpty())
			}
		}
	}
	for _, rs := range out.ResourceSpans().All() {
		for _, ss := range rs.ScopeSpans().All() {
			for _, span := range ss.Spans().All() {
				ref := SpanRef{TraceID: span.TraceID(), SpanID: span.SpanID()}
				if g, ok := groups[ref]; ok {
					AttachLogs(span, g)
					delete(groups, ref)
				}
			}
		}
	}
	for _, ref := range order {
		if g, ok := groups[ref]; ok {
			AppendLogSpan(out, g)
		}
	}
	return out
}

func readLogsFixture(t testing.TB, path string) plog.Logs {
	t.Helper()
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return plog.NewLogs()
	}
	require.NoError(t, err)
	ld, err := (&plog.JSONUnmarshaler{}).UnmarshalLogs(data)
	require.NoError(t, err, "fixture %s is not OTLP JSON", path)
	return ld
}

// checkGolden compares the conversion with a golden file; -update rewrites it.
func checkGolden(t *testing.T, goldenPath string, td ptrace.Traces) Result {
	t.Helper()
	res := Convert(td, Options{MaxFieldBytes: goldenMaxFieldBytes})
	checkResult(t, td, res)
	got := marshalGolden(t, toGolden(res))
	if *update {
		require.NoError(t, os.MkdirAll(filepath.Dir(goldenPath), 0o755))
		require.NoError(t, os.WriteFile(goldenPath, got, 0o644))
		return res
	}
	want, err := os.ReadFile(goldenPath)
	require.NoError(t, err, "missing golden: run go test ./internal/genai -run 'TestConvertJoinedLogs' -update")
	assert.Equal(t, string(want), string(got))
	return res
}

// TestConvertJoinedLogsGolden converts every span+log fixture of
// testdata/logs (the official instrumentation's shapes; span_events has the
// same content as span events) with its records joined.
func TestConvertJoinedLogsGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "logs", "*.traces.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, path := range files {
		name := strings.TrimSuffix(filepath.Base(path), ".traces.json")
		t.Run(name, func(t *testing.T) {
			td := readFixture(t, path)
			ld := readLogsFixture(t, filepath.Join("testdata", "logs", name+".logs.json"))
			checkGolden(t, filepath.Join("testdata", "golden-logs", name+".json"), joinLogs(t, td, ld))
		})
	}
}

// TestConvertJoinedRecordedOTelOpenAI joins what the official
// @opentelemetry/instrumentation-openai really emitted (Chat Completions
// content in event.name records with map bodies, Responses API content in
// split operation-details records) and checks every call's content.
func TestConvertJoinedRecordedOTelOpenAI(t *testing.T) {
	td := fixtures.Recorded(t, fixtures.OTelOpenAI)
	ld := fixtures.RecordedLogs(t, fixtures.OTelOpenAI)
	res := checkGolden(t, filepath.Join("testdata", "golden-recorded", fixtures.OTelOpenAI+".json"), joinLogs(t, td, ld))

	require.Len(t, res.Batches, 1)
	ins := res.Batches[0].Interactions
	require.Len(t, ins, td.SpanCount(), "one interaction per model call, none from stand-in spans")
	assert.Empty(t, res.Dropped)

	const weather = `{"location":"Paris"}`
	for _, k := range []int{0, 4} { // Chat Completions and Responses: the model asks for the tool
		assert.Equal(t, "What is the weather in Paris?", ins[k].Prompt)
		assert.Equal(t, "You are a weather bot.", ins[k].Metadata.SystemPrompt)
		require.Len(t, ins[k].ToolCalls, 1)
		assert.Equal(t, "get_weather", ins[k].ToolCalls[0].ToolName)
		assert.JSONEq(t, weather, string(ins[k].ToolCalls[0].Parameters))
	}
	for _, k := range []int{1, 5} { // the answer after the tool result
		assert.Equal(t, "What is the weather in Paris?", ins[k].Prompt)
		assert.Equal(t, "It is sunny and 22°C in Paris right now.", ins[k].Response)
	}
	assert.Equal(t, "Hello! How can I help you today?", ins[2].Response)
	assert.Equal(t, "Hello! Nice to meet you.", ins[3].Response, "streamed answer")
	for _, in := range ins {
		assert.Equal(t, "otel_genai", in.Metadata.Convention)
		assert.Equal(t, "openai", in.Metadata.ModelProvider)
		assert.Equal(t, "gpt-4o-mini-2024-07-18", in.Metadata.Model)
	}
}

// Content in log records must give the interaction the same content on the
// span would: the tool round as records joined, as span events, and as
// gen_ai.input/output.messages attributes on the spans.
func TestJoinedLogsEqualContentOnSpans(t *testing.T) {
	fromLogs := Convert(joinLogs(t,
		readFixture(t, filepath.Join("testdata", "logs", "tool_round.traces.json")),
		readLogsFixture(t, filepath.Join("testdata", "logs", "tool_round.logs.json"))), Options{})
	fromEvents := Convert(readFixture(t, filepath.Join("testdata", "logs", "span_events.traces.json")), Options{})

	td := readFixture(t, filepath.Join("testdata", "logs", "tool_round.traces.json"))
	spans := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans()
	first, second := spans.At(1).Attributes(), spans.At(2).Attributes()
	first.PutStr("gen_ai.input.messages", `[{"role":"system","parts":[{"type":"text","content":"You are a weather bot."}]},{"role":"user","parts":[{"type":"text","content":"What is the weather in Paris?"}]}]`)
	first.PutStr("gen_ai.output.messages", `[{"role":"assistant","parts":[{"type":"tool_call","id":"call_weather_1","name":"get_weather","arguments":"{\"location\":\"Paris\"}"}],"finish_reason":"tool_call"}]`)
	second.PutStr("gen_ai.input.messages", `[{"role":"system","parts":[{"type":"text","content":"You are a weather bot."}]},{"role":"user","parts":[{"type":"text","content":"What is the weather in Paris?"}]},`+
		`{"role":"assistant","parts":[{"type":"tool_call","id":"call_weather_1","name":"get_weather","arguments":"{\"location\":\"Paris\"}"}]},`+
		`{"role":"tool","parts":[{"type":"tool_call_response","id":"call_weather_1","response":"{\"location\":\"Paris\",\"temperature_c\":22,\"condition\":\"sunny\"}"}]}]`)
	second.PutStr("gen_ai.output.messages", `[{"role":"assistant","parts":[{"type":"text","content":"It is sunny and 22°C in Paris right now."}],"finish_reason":"stop"}]`)
	fromAttrs := Convert(td, Options{})

	content := func(r Result) []precogxapi.Interaction {
		require.Len(t, r.Batches, 1)
		var out []precogxapi.Interaction
		for _, in := range r.Batches[0].Interactions {
			out = append(out, precogxapi.Interaction{Prompt: in.Prompt, Response: in.Response, ToolCalls: in.ToolCalls,
				Metadata: precogxapi.Metadata{SystemPrompt: in.Metadata.SystemPrompt}})
		}
		return out
	}
	want := content(fromAttrs)
	require.Len(t, want, 2)
	require.Len(t, want[0].ToolCalls, 1)
	assert.Equal(t, `{"location":"Paris","temperature_c":22,"condition":"sunny"}`, want[0].ToolCalls[0].Result,
		"the result fed back in the second call folds into the first call's tool call")
	assert.Equal(t, want, content(fromLogs), "records joined")
	assert.Equal(t, want, content(fromEvents), "span events")
}

func TestLogEventName(t *testing.T) {
	lr := plog.NewLogRecord()
	assert.Empty(t, LogEventName(lr))
	lr.Attributes().PutStr("event.name", "gen_ai.user.message")
	assert.Equal(t, "gen_ai.user.message", LogEventName(lr), "JS and Python contrib name events by attribute")
	lr.SetEventName("gen_ai.client.inference.operation.details")
	assert.Equal(t, "gen_ai.client.inference.operation.details", LogEventName(lr), "the EventName field wins")
	other := plog.NewLogRecord()
	other.Attributes().PutInt("event.name", 7)
	assert.Empty(t, LogEventName(other))
}

func TestLogContentOf(t *testing.T) {
	details := func(keys ...string) plog.LogRecord {
		lr := plog.NewLogRecord()
		lr.SetEventName("gen_ai.client.inference.operation.details")
		for _, k := range keys {
			lr.Attributes().PutEmptySlice(k)
		}
		return lr
	}
	named := func(name string) plog.LogRecord {
		lr := plog.NewLogRecord()
		lr.Attributes().PutStr("event.name", name)
		return lr
	}
	for _, tc := range []struct {
		name string
		lr   plog.LogRecord
		want LogContent
	}{
		{"system", named("gen_ai.system.message"), LogInput},
		{"user", named("gen_ai.user.message"), LogInput},
		{"assistant", named("gen_ai.assistant.message"), LogInput},
		{"tool", named("gen_ai.tool.message"), LogInput},
		{"choice", named("gen_ai.choice"), LogOutput},
		{"details input", details("gen_ai.input.messages"), LogInput},
		{"details output", details("gen_ai.output.messages"), LogOutput},
		{"details both", details("gen_ai.input.messages", "gen_ai.output.messages"), LogInput | LogOutput},
		{"details without content", details(), 0},
		{"other event", named("gen_ai.evaluation.result"), 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, LogContentOf(tc.lr))
		})
	}
	assert.True(t, (LogInput | LogOutput).Complete())
	assert.False(t, LogInput.Complete())
	assert.False(t, LogOutput.Complete())
}

// newRecords returns logs with one resource and scope holding n empty records.
func newRecords(n int) (plog.Logs, plog.LogRecordSlice) {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", "svc")
	sl := rl.ScopeLogs().AppendEmpty()
	sl.Scope().SetName("scope")
	records := sl.LogRecords()
	for range n {
		records.AppendEmpty()
	}
	return ld, records
}

func TestAttachLogsMapsRecordsToEvents(t *testing.T) {
	ld, records := newRecords(4)

	choice := records.At(0) // listed first, happened last
	choice.SetTimestamp(300)
	choice.Attributes().PutStr("event.name", "gen_ai.choice")
	choice.Attributes().PutStr("content", "attribute loses to body")
	body := choice.Body().SetEmptyMap()
	body.PutStr("finish_reason", "stop")
	body.PutStr("content", "from the body")
	body.PutEmptyMap("message").PutStr("content", "Hello!")

	user := records.At(1)
	user.SetObservedTimestamp(100) // no Timestamp: the observed time orders it
	user.Attributes().PutStr("event.name", "gen_ai.user.message")
	user.Body().SetStr("Hi there")

	empty := records.At(2)
	empty.SetTimestamp(200)
	empty.SetEventName("gen_ai.system.message")

	tool := records.At(3)
	tool.SetTimestamp(200)
	tool.Attributes().PutStr("event.name", "gen_ai.tool.message")
	tb := tool.Body().SetEmptyMap()
	tb.PutStr("id", "call_1")
	tb.PutEmptySlice("tool_calls").AppendEmpty().SetEmptyMap().PutStr("id", "x")

	span := ptrace.NewSpan()
	span.Events().AppendEmpty().SetName("existing")
	require.Equal(t, 4, AttachLogs(span, ld))

	events := span.Events()
	require.Equal(t, 5, events.Len())
	assert.Equal(t, "existing", events.At(0).Name(), "events already on the span stay first")
	var names []string
	for _, ev := range events.All() {
		names = append(names, ev.Name())
	}
	assert.Equal(t, []string{"existing", "gen_ai.user.message", "gen_ai.system.message", "gen_ai.tool.message", "gen_ai.choice"}, names,
		"timestamp order, ties in record order")

	u := events.At(1)
	assert.Equal(t, pcommon.Timestamp(100), u.Timestamp())
	content, _ := u.Attributes().Get("content")
	assert.Equal(t, "Hi there", content.Str(), "a string body is the content")

	s := events.At(2)
	_, hasContent := s.Attributes().Get("content")
	assert.False(t, hasContent, "an empty body adds nothing")

	tl := events.At(3)
	calls, _ := tl.Attributes().Get("tool_calls")
	assert.Equal(t, pcommon.ValueTypeSlice, calls.Type(), "structured body values stay structured")

	c := events.At(4).Attributes()
	content, _ = c.Get("content")
	assert.Equal(t, "from the body", content.Str(), "body fields win over attributes")
	msg, _ := c.Get("message")
	assert.Equal(t, pcommon.ValueTypeMap, msg.Type())
	name, _ := c.Get("event.name")
	assert.Equal(t, "gen_ai.choice", name.Str(), "the record's attributes are kept")
}

func TestAttachLogsMergesOperationDetails(t *testing.T) {
	ld, records := newRecords(2)
	in := records.At(0)
	in.SetEventName("gen_ai.client.inference.operation.details")
	in.SetTimestamp(1)
	in.Attributes().PutStr("gen_ai.provider.name", "openai")
	in.Attributes().PutStr(attrInputMessages, `[{"role":"user","parts":[{"type":"text","content":"Hi"}]}]`)
	out := records.At(1)
	out.SetEventName("gen_ai.client.inference.operation.details")
	out.SetTimestamp(2)
	out.Attributes().PutStr("gen_ai.provider.name", "ignored: already there")
	out.Attributes().PutStr(attrOutputMessages, `[{"role":"assistant","parts":[{"type":"text","content":"Hello"}]}]`)

	span := ptrace.NewSpan()
	AttachLogs(span, ld)
	require.Equal(t, 1, span.Events().Len(), "one operation-details event per call")
	attrs := span.Events().At(0).Attributes()
	for _, k := range []string{attrInputMessages, attrOutputMessages} {
		_, ok := attrs.Get(k)
		assert.True(t, ok, k)
	}
	provider, _ := attrs.Get("gen_ai.provider.name")
	assert.Equal(t, "openai", provider.Str())
	assert.Equal(t, pcommon.Timestamp(1), span.Events().At(0).Timestamp())
}

func TestAppendLogSpan(t *testing.T) {
	ld, records := newRecords(2)
	tid := pcommon.TraceID{1, 2, 3}
	sid := pcommon.SpanID{4, 5, 6}
	for k, name := range []string{"gen_ai.client.inference.operation.details", "gen_ai.client.inference.operation.details"} {
		lr := records.At(k)
		lr.SetTraceID(tid)
		lr.SetSpanID(sid)
		lr.SetEventName(name)
		lr.SetTimestamp(pcommon.Timestamp(1000 * (k + 1)))
		lr.Attributes().PutStr(AttrAgentID, "billing-agent")
		lr.Attributes().PutStr("gen_ai.operation.name", "chat")
		lr.Attributes().PutStr("gen_ai.request.model", "gpt-4o")
	}
	records.At(0).Attributes().PutStr(attrInputMessages, `[{"role":"user","parts":[{"type":"text","content":"Refund order 42"}]}]`)
	records.At(1).Attributes().PutStr(attrOutputMessages, `[{"role":"assistant","parts":[{"type":"text","content":"Done."}]}]`)

	td := ptrace.NewTraces()
	AppendLogSpan(td, ld)
	AppendLogSpan(td, plog.NewLogs()) // nothing to stand in for
	require.Equal(t, 1, td.SpanCount())
	rs := td.ResourceSpans().At(0)
	svc, _ := rs.Resource().Attributes().Get("service.name")
	assert.Equal(t, "svc", svc.Str())
	assert.Equal(t, "scope", rs.ScopeSpans().At(0).Scope().Name())
	span := rs.ScopeSpans().At(0).Spans().At(0)
	assert.Equal(t, tid, span.TraceID())
	assert.Equal(t, sid, span.SpanID())
	assert.Equal(t, "chat", span.Name())
	assert.Equal(t, pcommon.Timestamp(1000), span.StartTimestamp())
	assert.Equal(t, pcommon.Timestamp(2000), span.EndTimestamp())
	_, hasContent := span.Attributes().Get(attrInputMessages)
	assert.False(t, hasContent, "content stays on the events")

	res := Convert(td, Options{})
	require.Len(t, res.Batches, 1)
	in := res.Batches[0].Interactions[0]
	assert.Equal(t, "billing-agent", in.AgentID)
	assert.Equal(t, "Refund order 42", in.Prompt)
	assert.Equal(t, "Done.", in.Response)
	assert.Equal(t, "gpt-4o", in.Metadata.Model)
	assert.Equal(t, "llm", in.Metadata.Kind)
	assert.Equal(t, tid.String()+"-"+sid.String(), in.Metadata.InteractionID, "the id the real span would have given")
}

// Tool results and prompts that are JSON text stay the text the
// instrumentation recorded (key order and spacing included), on span events
// as in joined records.
func TestMessageEventContentStaysText(t *testing.T) {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "svc")
	spans := rs.ScopeSpans().AppendEmpty().Spans()
	event := func(span ptrace.Span, name string, attrs map[string]any) {
		ev := span.Events().AppendEmpty()
		ev.SetName(name)
		require.NoError(t, ev.Attributes().FromRaw(attrs))
	}
	chat := func(id byte) ptrace.Span {
		span := spans.AppendEmpty()
		span.SetTraceID(pcommon.TraceID{1})
		span.SetSpanID(pcommon.SpanID{id})
		span.SetStartTimestamp(pcommon.Timestamp(id))
		span.Attributes().PutStr("gen_ai.operation.name", "chat")
		return span
	}
	call := map[string]any{"id": "call_1", "type": "function", "function": map[string]any{"name": "lookup", "arguments": `{"order":42}`}}

	first := chat(1)
	event(first, "gen_ai.user.message", map[string]any{"content": `{"order": 42}`})
	event(first, "gen_ai.choice", map[string]any{"message": map[string]any{"tool_calls": []any{call}}})
	second := chat(2)
	event(second, "gen_ai.user.message", map[string]any{"content": `{"order": 42}`})
	event(second, "gen_ai.assistant.message", map[string]any{"tool_calls": []any{call}})
	event(second, "gen_ai.tool.message", map[string]any{"id": "call_1", "content": `{"b": 2, "a": 1}`})
	event(second, "gen_ai.choice", map[string]any{"message": map[string]any{"content": "Shipped."}})

	res := Convert(td, Options{})
	require.Len(t, res.Batches, 1)
	ins := res.Batches[0].Interactions
	require.Len(t, ins, 2)
	assert.Equal(t, `{"order": 42}`, ins[0].Prompt, "a JSON prompt is the prompt as typed")
	require.Len(t, ins[0].ToolCalls, 1)
	assert.Equal(t, `{"b": 2, "a": 1}`, ins[0].ToolCalls[0].Result, "the tool result as the tool returned it")
	assert.Equal(t, "Shipped.", ins[1].Response)
}
