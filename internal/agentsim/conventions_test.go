package agentsim

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

// oneTrace generates a single turn of the scenario and returns its trace.
func oneTrace(t *testing.T, conv Convention, sc Scenario) (*traceSpans, Report) {
	t.Helper()
	stubs, rep := generate(t, Config{Agents: 1, Conventions: []Convention{conv}, Scenarios: []Scenario{sc}, Traces: 1, Seed: 5})
	traces := groupTraces(stubs)
	require.Len(t, traces, 1)
	for _, tr := range traces {
		require.Equal(t, rep.Agents[0].Spans, len(tr.spans), "report counts every span")
		return tr, rep
	}
	return nil, rep
}

func only(t *testing.T, tr *traceSpans, name string) tracetest.SpanStub {
	t.Helper()
	s := tr.named(name)
	require.Len(t, s, 1, "spans named %q", name)
	return s[0]
}

func assertChildOf(t *testing.T, tr *traceSpans, child, parent tracetest.SpanStub) {
	t.Helper()
	p, ok := tr.parent(child)
	require.True(t, ok, "%s has a parent", spanLabel(child))
	assert.Equal(t, parent.SpanContext.SpanID(), p.SpanContext.SpanID(), "parent of %s", spanLabel(child))
}

// assertOrdinarySpans checks the non-GenAI spans every trace holds: the
// incoming request at the root, a database read, and below each model call
// the HTTP request to the provider.
func assertOrdinarySpans(t *testing.T, tr *traceSpans, conv Convention, llm []tracetest.SpanStub) {
	t.Helper()
	root := tr.root(t)
	assert.Equal(t, trace.SpanKindServer, root.SpanKind)
	assert.Equal(t, "POST "+stacks[conv].route, root.Name)
	ra := attrsOf(root)
	assert.Equal(t, "POST", ra.str("http.request.method"))
	assert.Equal(t, stacks[conv].route, ra.str("url.path"))

	history := tr.named("SELECT messages")
	require.Len(t, history, 1)
	da := attrsOf(history[0])
	assert.Equal(t, trace.SpanKindClient, history[0].SpanKind)
	assert.Equal(t, "postgresql", da.str("db.system"))
	assert.Contains(t, da.str("db.query.text"), "FROM messages")

	for _, l := range llm {
		var calls []tracetest.SpanStub
		for _, s := range tr.spans {
			if p, ok := tr.parent(s); ok && p.SpanContext.SpanID() == l.SpanContext.SpanID() {
				calls = append(calls, s)
			}
		}
		require.Len(t, calls, 1, "one HTTP call below %s", spanLabel(l))
		ha := attrsOf(calls[0])
		assert.Equal(t, trace.SpanKindClient, calls[0].SpanKind)
		assert.Equal(t, "POST", ha.str("http.request.method"))
		assert.Equal(t, "https://api.openai.com/v1/chat/completions", ha.str("url.full"))
		assert.True(t, calls[0].StartTime.After(l.StartTime) && calls[0].EndTime.Before(l.EndTime), "HTTP call inside the model call")
	}
}

func TestOTelGenAIShape(t *testing.T) {
	tr, _ := oneTrace(t, OTelGenAI, ScenarioToolRound)
	agent := only(t, tr, "invoke_agent support-bot")
	assert.Equal(t, trace.SpanKindInternal, agent.SpanKind)
	assertChildOf(t, tr, agent, tr.root(t))
	aa := attrsOf(agent)
	assert.Equal(t, "invoke_agent", aa.str("gen_ai.operation.name"))
	assert.Equal(t, "support-bot", aa.str("gen_ai.agent.name"))
	assert.NotEmpty(t, aa.str("gen_ai.conversation.id"))
	assert.JSONEq(t, `[{"type":"text","content":"`+NewAgents(1, nil)[0].System+`"}]`, aa.str("gen_ai.system_instructions"))

	chats := tr.named("chat gpt-4o")
	require.Len(t, chats, 2)
	for _, c := range chats {
		assert.Equal(t, trace.SpanKindClient, c.SpanKind)
		assertChildOf(t, tr, c, agent)
		ca := attrsOf(c)
		assert.Equal(t, "openai", ca.str("gen_ai.provider.name"))
		assert.Equal(t, aa.str("gen_ai.conversation.id"), ca.str("gen_ai.conversation.id"))
		assert.Positive(t, ca["gen_ai.usage.input_tokens"].AsInt64())
		assert.NotEmpty(t, ca.str("gen_ai.tool.definitions"))
	}
	assert.Equal(t, []string{"tool_call"}, attrsOf(chats[0])["gen_ai.response.finish_reasons"].AsStringSlice())

	tool := tr.named("execute_tool " + readLLM(t, OTelGenAI, chats[0]).calls[0].name)
	require.Len(t, tool, 1)
	assert.Equal(t, trace.SpanKindInternal, tool[0].SpanKind)
	assertChildOf(t, tr, tool[0], agent)
	ta := attrsOf(tool[0])
	assert.Equal(t, "execute_tool", ta.str("gen_ai.operation.name"))
	assert.Equal(t, readLLM(t, OTelGenAI, chats[0]).calls[0].id, ta.str("gen_ai.tool.call.id"))
	assert.Equal(t, "function", ta.str("gen_ai.tool.type"))
	assert.True(t, chats[0].EndTime.Before(tool[0].StartTime) && tool[0].EndTime.Before(chats[1].StartTime), "call, tool, call")

	// Step 2 sends the tool call and its response back in the parts format.
	var input []map[string]any
	require.NoError(t, json.Unmarshal([]byte(attrsOf(chats[1]).str("gen_ai.input.messages")), &input))
	roles := []string{}
	for _, m := range input {
		roles = append(roles, m["role"].(string))
	}
	assert.Equal(t, []string{"user", "assistant", "tool"}, roles[len(roles)-3:])
	assert.Equal(t, "tool_call_response", input[len(input)-1]["parts"].([]any)[0].(map[string]any)["type"])

	assertOrdinarySpans(t, tr, OTelGenAI, chats)
}

func TestOpenLLMetryShape(t *testing.T) {
	tr, _ := oneTrace(t, OpenLLMetry, ScenarioToolRound)
	workflow := only(t, tr, "handle_chat.workflow")
	assert.Equal(t, "workflow", attrsOf(workflow).str("traceloop.span.kind"))
	agent := only(t, tr, "support-bot.agent")
	assertChildOf(t, tr, agent, workflow)
	assert.Equal(t, "agent", attrsOf(agent).str("traceloop.span.kind"))
	assert.Equal(t, "support-bot", attrsOf(agent).str("traceloop.entity.name"))

	chats := tr.named("openai.chat")
	require.Len(t, chats, 2)
	for _, c := range chats {
		assert.Equal(t, trace.SpanKindClient, c.SpanKind)
		assertChildOf(t, tr, c, agent)
		ca := attrsOf(c)
		assert.Equal(t, "chat", ca.str("llm.request.type"))
		assert.Equal(t, "openai", ca.str("gen_ai.system"))
		assert.Equal(t, "system", ca.str("gen_ai.prompt.0.role"))
		assert.Equal(t, "assistant", ca.str("gen_ai.completion.0.role"))
		assert.False(t, ca.has("gen_ai.input.messages"), "legacy format only")
	}
	call := readLLM(t, OpenLLMetry, chats[0]).calls[0]
	tool := only(t, tr, call.name+".tool")
	assertChildOf(t, tr, tool, agent)
	assert.Equal(t, "tool", attrsOf(tool).str("traceloop.span.kind"))

	// The SDK stamps the association properties on every span of the
	// workflow, the HTTP and database spans included; never on the request
	// that started it.
	session := attrsOf(agent).str("traceloop.association.properties.session_id")
	require.NotEmpty(t, session)
	stamped := 0
	for _, s := range tr.spans {
		a := attrsOf(s)
		if s.Name == tr.root(t).Name {
			assert.False(t, a.has("traceloop.association.properties.session_id"))
			continue
		}
		assert.Equal(t, session, a.str("traceloop.association.properties.session_id"), spanLabel(s))
		if a.has("db.system") || a.has("http.request.method") {
			stamped++
		}
	}
	assert.GreaterOrEqual(t, stamped, 3, "history read, tool backend, provider calls")
	assertOrdinarySpans(t, tr, OpenLLMetry, chats)
}

func TestOpenInferenceShape(t *testing.T) {
	tr, _ := oneTrace(t, OpenInference, ScenarioToolRound)
	agent := only(t, tr, "support-bot")
	aa := attrsOf(agent)
	assert.Equal(t, "AGENT", aa.str("openinference.span.kind"))
	assert.Equal(t, "text/plain", aa.str("input.mime_type"))

	chats := tr.named("ChatCompletion")
	require.Len(t, chats, 2)
	for _, c := range chats {
		assertChildOf(t, tr, c, agent)
		ca := attrsOf(c)
		assert.Equal(t, "LLM", ca.str("openinference.span.kind"))
		assert.Equal(t, "openai", ca.str("llm.system"))
		assert.Equal(t, "application/json", ca.str("input.mime_type"))
		assert.True(t, json.Valid([]byte(ca.str("input.value"))), "raw request body")
		assert.Equal(t, "system", ca.str("llm.input_messages.0.message.role"))
		assert.Equal(t, aa.str("session.id"), ca.str("session.id"))
	}
	call := readLLM(t, OpenInference, chats[0]).calls[0]
	tool := only(t, tr, call.name)
	assertChildOf(t, tr, tool, agent)
	ta := attrsOf(tool)
	assert.Equal(t, "TOOL", ta.str("openinference.span.kind"))
	assert.Contains(t, ta.str("tool.parameters"), `"type":"object"`, "a schema, not the arguments")
	assert.JSONEq(t, call.args, ta.str("input.value"))

	// Context attributes reach some ordinary spans too.
	stamped := 0
	for _, s := range tr.spans {
		a := attrsOf(s)
		if (a.has("db.system") || a.has("http.request.method")) && a.str("session.id") == aa.str("session.id") {
			stamped++
		}
	}
	assert.GreaterOrEqual(t, stamped, 2)
	assertOrdinarySpans(t, tr, OpenInference, chats)
}

func TestVercelAIShape(t *testing.T) {
	tr, _ := oneTrace(t, VercelAI, ScenarioToolRound)
	root := only(t, tr, "ai.generateText")
	ra := attrsOf(root)
	assert.Equal(t, "ai.generateText support-bot", ra.str("operation.name"))
	assert.Equal(t, "support-bot", ra.str("ai.telemetry.functionId"))
	assert.Equal(t, "openai.chat", ra.str("ai.model.provider"))

	calls := tr.named("ai.generateText.doGenerate")
	require.Len(t, calls, 2)
	for _, c := range calls {
		assertChildOf(t, tr, c, root)
		ca := attrsOf(c)
		assert.Equal(t, "openai.chat", ca.str("gen_ai.system"), "provider id with API suffix")
		assert.False(t, ca.has("gen_ai.operation.name"), "legacy spans have no operation name")
		assert.Equal(t, ra.str("ai.telemetry.metadata.sessionId"), ca.str("ai.telemetry.metadata.sessionId"))
	}
	assert.Equal(t, "tool-calls", attrsOf(calls[0]).str("ai.response.finishReason"))
	assert.False(t, attrsOf(calls[0]).has("ai.response.text"), "no text in a tool-call step")

	tool := only(t, tr, "ai.toolCall")
	assertChildOf(t, tr, tool, root)
	name := attrsOf(tool).str("ai.toolCall.name")
	assert.NotContains(t, name, "_", "tools are camelCase keys in JS")

	// ai 5 shapes: tool-call parts carry input objects, tool-result parts an
	// output {type, value}.
	msgs := attrsOf(calls[1]).str("ai.prompt.messages")
	assert.Contains(t, msgs, `"type":"tool-call"`)
	assert.Contains(t, msgs, `"input":{`)
	assert.Contains(t, msgs, `"output":{"type":"text","value":`)
	assertOrdinarySpans(t, tr, VercelAI, calls)
}

func TestOTelGenAIEventsShape(t *testing.T) {
	tr, _ := oneTrace(t, OTelGenAIEvents, ScenarioToolRound)
	chats := tr.named("chat gpt-4o")
	require.Len(t, chats, 2)
	for _, c := range chats {
		assertChildOf(t, tr, c, tr.root(t))
		ca := attrsOf(c)
		assert.Equal(t, "openai", ca.str("gen_ai.system"))
		assert.False(t, ca.has("gen_ai.provider.name"))
		assert.False(t, ca.has("gen_ai.input.messages"), "content is in events")
	}
	names := func(s tracetest.SpanStub) []string {
		var out []string
		for _, e := range s.Events {
			out = append(out, e.Name)
		}
		return out
	}
	assert.Equal(t, []string{"gen_ai.system.message", "gen_ai.user.message", "gen_ai.choice"}, names(chats[0]))
	assert.Equal(t, []string{"gen_ai.system.message", "gen_ai.user.message", "gen_ai.assistant.message", "gen_ai.tool.message", "gen_ai.choice"}, names(chats[1]))
	for _, s := range tr.spans {
		assert.False(t, strings.HasPrefix(s.Name, "invoke_agent") || strings.HasPrefix(s.Name, "execute_tool"), "no agent or tool spans before 1.31")
	}
	assertOrdinarySpans(t, tr, OTelGenAIEvents, chats)

	// Plain turns alternate with the 1.27 prompt / completion events.
	stubs, _ := generate(t, Config{Agents: 1, Conventions: []Convention{OTelGenAIEvents}, Scenarios: []Scenario{ScenarioQA}, Traces: 2, Seed: 5})
	forms := map[string]bool{}
	for _, s := range stubs {
		if isLLM(OTelGenAIEvents, s) {
			forms[strings.Join(names(s), ",")] = true
		}
	}
	assert.True(t, forms["gen_ai.content.prompt,gen_ai.content.completion"], "%v", forms)
	assert.True(t, forms["gen_ai.system.message,gen_ai.user.message,gen_ai.choice"] ||
		forms["gen_ai.system.message,gen_ai.user.message,gen_ai.assistant.message,gen_ai.user.message,gen_ai.choice"], "%v", forms)
}

// TestStreamingHasNoUsage: a streamed answer's model call reports no token
// usage in any convention, and the agent or root span none either.
func TestStreamingHasNoUsage(t *testing.T) {
	for _, conv := range AllConventions() {
		t.Run(string(conv), func(t *testing.T) {
			tr, rep := oneTrace(t, conv, ScenarioStreaming)
			require.Len(t, rep.Expected, 1)
			for _, s := range tr.spans {
				for _, kv := range s.Attributes {
					k := string(kv.Key)
					assert.False(t, strings.Contains(k, "usage") || strings.Contains(k, "token_count"), "%s has %s", spanLabel(s), k)
				}
			}
			llm := tr.byID[rep.Expected[0].SpanID]
			a := attrsOf(llm)
			switch conv {
			case OTelGenAI:
				assert.True(t, a["gen_ai.request.stream"].AsBool())
			case OpenLLMetry:
				assert.True(t, a["llm.is_streaming"].AsBool())
			case VercelAI:
				assert.Equal(t, "ai.streamText.doStream", llm.Name)
			}
		})
	}
}

func TestProvidersAlternate(t *testing.T) {
	stubs, rep := generate(t, Config{Agents: 2, Conventions: []Convention{OpenLLMetry}, Scenarios: []Scenario{ScenarioQA}, Traces: 1, Seed: 1})
	require.Len(t, rep.Expected, 2)
	names := map[string]string{}
	for _, s := range stubs {
		if isLLM(OpenLLMetry, s) {
			names[attrsOf(s).str("gen_ai.system")] = s.Name
		}
	}
	assert.Equal(t, map[string]string{"openai": "openai.chat", "anthropic": "anthropic.chat"}, names)
}
