package genai

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

func newSpan(t testing.TB, name string, attrs map[string]any) ptrace.Span {
	t.Helper()
	span := ptrace.NewSpan()
	span.SetName(name)
	require.NoError(t, span.Attributes().FromRaw(attrs))
	return span
}

type classifyCase struct {
	name  string
	span  string
	attrs map[string]any
	want  Kind
}

// classifyCases is a realistic span of every convention, plus the spans that
// must stay OTHER. The benchmark reuses it as its corpus.
var classifyCases = []classifyCase{
	// OTel GenAI semconv, every era.
	{"otel current chat", "chat gpt-4o", map[string]any{
		"gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai", "gen_ai.request.model": "gpt-4o",
		"gen_ai.input.messages": `[{"role":"user","parts":[{"type":"text","content":"Weather in Paris?"}]}]`,
		"gen_ai.agent.name":     "weather-agent", "gen_ai.conversation.id": "conv_42",
	}, KindLLM},
	{"otel 1.27 gen_ai.system era", "chat gpt-4", map[string]any{
		"gen_ai.operation.name": "chat", "gen_ai.system": "openai", "gen_ai.request.model": "gpt-4",
		"gen_ai.usage.prompt_tokens": 10,
	}, KindLLM},
	{"otel text_completion", "text_completion davinci", map[string]any{"gen_ai.operation.name": "text_completion"}, KindLLM},
	{"otel generate_content", "generate_content gemini-2.5-flash", map[string]any{"gen_ai.operation.name": "generate_content", "gen_ai.provider.name": "gcp.gemini"}, KindLLM},
	{"otel execute_tool", "execute_tool get_weather", map[string]any{
		"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "get_weather", "gen_ai.tool.call.id": "call_1",
	}, KindTool},
	{"otel invoke_agent", "invoke_agent weather-agent", map[string]any{"gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "weather-agent"}, KindAgent},
	{"otel invoke_workflow", "invoke_workflow triage", map[string]any{"gen_ai.operation.name": "invoke_workflow"}, KindAgent},
	{"otel embeddings", "embeddings text-embedding-3-small", map[string]any{
		"gen_ai.operation.name": "embeddings", "gen_ai.provider.name": "openai", "gen_ai.request.model": "text-embedding-3-small",
	}, KindOther},
	{"otel create_agent", "create_agent Math Tutor", map[string]any{"gen_ai.operation.name": "create_agent", "gen_ai.agent.name": "Math Tutor"}, KindOther},
	{"otel retrieval", "retrieval H7STPQYOND", map[string]any{"gen_ai.operation.name": "retrieval", "gen_ai.request.model": "m", "gen_ai.provider.name": "p"}, KindOther},
	{"otel memory op", "search_memory", map[string]any{"gen_ai.operation.name": "search_memory"}, KindOther},
	{"otel delete_memory_store", "delete_memory_store", map[string]any{"gen_ai.operation.name": "delete_memory_store"}, KindOther},

	// OpenLLMetry.
	{"openllmetry legacy openai.chat", "openai.chat", map[string]any{
		"llm.request.type": "chat", "gen_ai.system": "openai", "gen_ai.request.model": "gpt-4o",
		"gen_ai.prompt.0.role": "user", "gen_ai.prompt.0.content": "Weather in Paris?",
		"traceloop.workflow.name": "weather_flow", "traceloop.association.properties.session_id": "sess-42",
	}, KindLLM},
	{"openllmetry completion", "openai.completion", map[string]any{"llm.request.type": "completion"}, KindLLM},
	{"openllmetry embedding", "openai.embeddings", map[string]any{"llm.request.type": "embedding", "gen_ai.system": "openai", "gen_ai.request.model": "text-embedding-3-small"}, KindOther},
	{"openllmetry agent", "researcher.agent", map[string]any{"traceloop.span.kind": "agent", "traceloop.entity.name": "researcher"}, KindAgent},
	{"openllmetry tool", "get_weather.tool", map[string]any{"traceloop.span.kind": "tool", "traceloop.entity.input": `{"args":["Paris"]}`}, KindTool},
	{"openllmetry workflow", "weather_flow.workflow", map[string]any{"traceloop.span.kind": "workflow", "gen_ai.agent.name": "x"}, KindOther},
	{"openllmetry task", "plan.task", map[string]any{"traceloop.span.kind": "task", "gen_ai.request.model": "gpt-4o", "gen_ai.system": "openai"}, KindOther},
	{"openllmetry otel-aligned", "openai.chat", map[string]any{
		"gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai",
		"gen_ai.input.messages": `[{"role":"user","parts":[{"type":"text","content":"Hi"}]}]`,
	}, KindLLM},
	{"openllmetry crewai agent", "researcher.agent", map[string]any{
		"traceloop.span.kind": "agent", "gen_ai.operation.name": "invoke_agent", "gen_ai.provider.name": "crewai",
	}, KindAgent},

	// OpenInference.
	{"openinference llm", "OpenAI Chat Completions", map[string]any{
		"openinference.span.kind": "LLM", "llm.system": "openai", "llm.model_name": "gpt-4o",
		"llm.input_messages.0.message.role": "user", "llm.input_messages.0.message.content": "Hi",
	}, KindLLM},
	{"openinference tool", "get_weather", map[string]any{"openinference.span.kind": "TOOL", "tool.name": "get_weather"}, KindTool},
	{"openinference agent", "Agent workflow", map[string]any{"openinference.span.kind": "AGENT", "input.value": "Hi"}, KindAgent},
	{"openinference chain", "AgentExecutor", map[string]any{"openinference.span.kind": "CHAIN", "input.value": "Hi", "session.id": "s"}, KindOther},
	{"openinference embedding with model", "OpenAI Embeddings", map[string]any{
		"openinference.span.kind": "EMBEDDING", "gen_ai.request.model": "m", "gen_ai.system": "openai",
	}, KindOther},

	// Vercel AI SDK.
	{"vercel doGenerate", "ai.generateText.doGenerate", map[string]any{
		"ai.operationId": "ai.generateText.doGenerate", "operation.name": "ai.generateText.doGenerate weather-agent",
		"gen_ai.system": "openai.chat", "gen_ai.request.model": "gpt-4o", "ai.prompt.messages": `[]`,
	}, KindLLM},
	{"vercel doStream", "ai.streamText.doStream", map[string]any{"ai.operationId": "ai.streamText.doStream"}, KindLLM},
	{"vercel generateText root", "ai.generateText", map[string]any{"ai.operationId": "ai.generateText", "ai.prompt": `{"prompt":"Hi"}`}, KindAgent},
	{"vercel streamObject root", "ai.streamObject", map[string]any{"ai.operationId": "ai.streamObject"}, KindAgent},
	{"vercel toolCall", "ai.toolCall", map[string]any{"ai.operationId": "ai.toolCall", "ai.toolCall.name": "getWeather"}, KindTool},
	{"vercel embed", "ai.embedMany", map[string]any{"ai.operationId": "ai.embedMany"}, KindOther},
	{"vercel span name without operationId", "ai.generateObject.doGenerate", map[string]any{"ai.model.id": "gpt-4o"}, KindLLM},
	{"vercel v7 invoke_agent", "invoke_agent gpt-4o", map[string]any{"gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "weather"}, KindAgent},
	{"vercel v7 step", "step 0", map[string]any{"ai.step": 0}, KindOther},

	// Vendors.
	{"langfuse generation", "llm-call", map[string]any{"langfuse.observation.type": "generation", "langfuse.observation.input": `[]`}, KindLLM},
	{"langfuse tool", "lookup", map[string]any{"langfuse.observation.type": "tool"}, KindTool},
	{"langfuse agent", "planner", map[string]any{"langfuse.observation.type": "agent"}, KindAgent},
	{"langfuse span", "handler", map[string]any{"langfuse.observation.type": "span", "session.id": "s", "user.id": "u"}, KindOther},
	{"langfuse embedding", "embed", map[string]any{"langfuse.observation.type": "embedding", "gen_ai.request.model": "m", "gen_ai.system": "openai"}, KindOther},
	{"langsmith llm", "ChatOpenAI", map[string]any{"langsmith.span.kind": "llm", "gen_ai.operation.name": "chat", "gen_ai.prompt": `{}`}, KindLLM},
	{"langsmith chain falls through", "RunnableSequence", map[string]any{"langsmith.span.kind": "chain", "gen_ai.operation.name": "chain", "gen_ai.prompt": `{}`}, KindOther},
	{"langsmith llm unknown op", "ChatOpenAI", map[string]any{"langsmith.span.kind": "llm", "gen_ai.operation.name": "llm"}, KindLLM},
	{"langsmith prompt template mapped to chat", "ChatPromptTemplate", map[string]any{"langsmith.span.kind": "prompt", "gen_ai.operation.name": "chat"}, KindOther},
	{"langsmith tool", "search", map[string]any{"langsmith.span.kind": "tool", "gen_ai.operation.name": "tool"}, KindTool},
	{"mlflow chat model quoted", "ChatOpenAI", map[string]any{"mlflow.spanType": `"CHAT_MODEL"`, "mlflow.spanInputs": `{}`}, KindLLM},
	{"mlflow llm unquoted", "llm", map[string]any{"mlflow.spanType": "LLM"}, KindLLM},
	{"mlflow tool", "get_weather", map[string]any{"mlflow.spanType": `"TOOL"`}, KindTool},
	{"mlflow agent", "agent", map[string]any{"mlflow.spanType": `"AGENT"`}, KindAgent},
	{"mlflow escaped", "agent", map[string]any{"mlflow.spanType": `"\u0041GENT"`}, KindAgent},
	{"mlflow chain", "chain", map[string]any{"mlflow.spanType": `"CHAIN"`}, KindOther},
	{"spring ai chat", "chat gpt-4o", map[string]any{"gen_ai.operation.name": "chat", "gen_ai.system": "openai"}, KindLLM},
	{"spring ai tool", "tool_call get_weather", map[string]any{
		"spring.ai.kind": "tool_call", "gen_ai.operation.name": "execute_tool", "gen_ai.system": "spring_ai",
	}, KindTool},
	{"spring ai tool kind only", "tool_call get_weather", map[string]any{"spring.ai.kind": "tool_call"}, KindTool},
	{"spring ai chat client", "spring_ai chat_client", map[string]any{
		"gen_ai.operation.name": "framework", "gen_ai.system": "spring_ai", "spring.ai.kind": "chat_client",
		"gen_ai.request.model": "gpt-4o",
	}, KindOther},
	{"spring ai advisor", "chat_client_advisor", map[string]any{"spring.ai.kind": "advisor"}, KindOther},
	{"adk call_llm", "call_llm", map[string]any{
		"gen_ai.system": "gcp.vertex.agent", "gen_ai.request.model": "gemini-2.5-flash",
		"gcp.vertex.agent.llm_request": `{"contents":[]}`,
	}, KindLLM},
	{"adk call_llm content only", "call_llm", map[string]any{"gcp.vertex.agent.llm_request": `{}`}, KindLLM},
	{"adk execute_tool", "execute_tool get_weather", map[string]any{"gen_ai.operation.name": "execute_tool", "gcp.vertex.agent.tool_call_args": `{}`}, KindTool},
	{"adk tool args only", "tool", map[string]any{"gcp.vertex.agent.tool_call_args": `{}`}, KindTool},
	{"adk invocation", "invocation", map[string]any{"gen_ai.conversation.id": "s-1"}, KindOther},
	{"adk agent_run legacy name", "agent_run [weather]", map[string]any{"gen_ai.agent.name": "weather"}, KindOther},
	{"strands chat", "chat", map[string]any{"gen_ai.operation.name": "chat", "gen_ai.system": "strands-agents"}, KindLLM},
	{"strands cycle", "execute_event_loop_cycle", map[string]any{"event_loop.cycle_id": "c1", "gen_ai.agent.name": "a", "session.id": "s"}, KindOther},
	{"pydantic-ai v1 chat", "chat gpt-4o", map[string]any{"gen_ai.operation.name": "chat", "gen_ai.system": "openai", "events": `[]`}, KindLLM},
	{"pydantic-ai v2 agent run", "agent run", map[string]any{"agent_name": "support", "gen_ai.agent.name": "support"}, KindAgent},
	{"pydantic-ai v2 running tool", "running tool", map[string]any{"tool_arguments": `{}`, "gen_ai.tool.name": "lookup"}, KindTool},
	{"pydantic-ai tool args only", "tool call", map[string]any{"tool_arguments": `{}`}, KindTool},

	// Heuristics.
	{"heuristic model and provider", "llm", map[string]any{"gen_ai.request.model": "gpt-4o", "gen_ai.system": "openai"}, KindLLM},
	{"heuristic model without provider", "llm", map[string]any{"gen_ai.request.model": "gpt-4o"}, KindOther},
	{"heuristic completion keys", "call", map[string]any{"gen_ai.completion.0.content": "Hi"}, KindLLM},
	{"heuristic prompt index 10 is not 0", "call", map[string]any{"gen_ai.prompt.10.content": "Hi"}, KindOther},
	{"heuristic tool name", "tool", map[string]any{"gen_ai.tool.name": "x"}, KindTool},
	{"name chat", "chat claude", nil, KindLLM},
	{"name anthropic.chat", "anthropic.chat", nil, KindLLM},
	{"name bedrock.completion", "bedrock.completion", nil, KindLLM},
	{"name openai.embeddings", "openai.embeddings", nil, KindOther},
	{"name execute_tool", "execute_tool search", nil, KindTool},
	{"name .tool", "search.tool", nil, KindTool},
	{"name invoke_agent bare", "invoke_agent", nil, KindAgent},
	{"name .agent", "researcher.agent", nil, KindAgent},
	{"name chat without space", "chatroom", nil, KindOther},

	// Non-LLM spans, including those a context processor stamped with GenAI identity.
	{"http server", "POST /v1/chat", map[string]any{
		"http.request.method": "POST", "url.path": "/v1/chat", "http.response.status_code": 200,
		"gen_ai.agent.name": "weather-agent", "traceloop.association.properties.session_id": "sess-42",
		"traceloop.workflow.name": "weather_flow", "session.id": "sess-42",
	}, KindOther},
	{"http client to openai", "POST", map[string]any{
		"http.request.method": "POST", "server.address": "api.openai.com", "traceloop.association.properties.user_id": "u-7",
		"gen_ai.conversation.id": "conv_42",
	}, KindOther},
	{"db span", "SELECT orders", map[string]any{"db.system.name": "postgresql", "db.query.text": "SELECT 1", "gen_ai.agent.name": "x"}, KindOther},
	{"framework span", "LangGraph", map[string]any{"graph.node.name": "agent", "traceloop.entity.path": "a.b", "session.id": "s"}, KindOther},
	{"empty", "", nil, KindOther},

	// Several conventions on one span: R1 order decides.
	{"traceloop rewrote vercel doGenerate", "ai.generateText.doGenerate", map[string]any{
		"ai.operationId": "ai.generateText.doGenerate", "gen_ai.operation.name": "chat", "llm.request.type": "chat",
	}, KindLLM},
	{"openinference on vercel root", "ai.generateText", map[string]any{"ai.operationId": "ai.generateText", "openinference.span.kind": "CHAIN"}, KindOther},
	{"openinference on vercel doGenerate", "ai.generateText.doGenerate", map[string]any{"ai.operationId": "ai.generateText.doGenerate", "openinference.span.kind": "LLM"}, KindLLM},
	{"op name beats openinference", "chat gpt-4o", map[string]any{"gen_ai.operation.name": "execute_tool", "openinference.span.kind": "LLM"}, KindTool},
	{"unknown op falls to openinference", "x", map[string]any{"gen_ai.operation.name": "chain", "openinference.span.kind": "AGENT"}, KindAgent},
	{"traceloop tool with model attrs", "get_weather.tool", map[string]any{"traceloop.span.kind": "tool", "gen_ai.request.model": "m", "gen_ai.system": "openai"}, KindTool},
	{"traceloop unknown then request type", "x", map[string]any{"traceloop.span.kind": "unknown", "llm.request.type": "chat"}, KindLLM},
	{"langfuse on otel chat", "chat gpt-4o", map[string]any{"gen_ai.operation.name": "chat", "langfuse.observation.type": "span"}, KindLLM},

	// Wrong value types never match a rule.
	{"operation name as int", "x", map[string]any{"gen_ai.operation.name": 5}, KindOther},
	{"openinference kind as map", "x", map[string]any{"openinference.span.kind": map[string]any{"a": "LLM"}}, KindOther},
}

func TestClassify(t *testing.T) {
	for _, tc := range classifyCases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, Classify(newSpan(t, tc.span, tc.attrs)))
		})
	}
}

func TestClassifyDoesNotAllocate(t *testing.T) {
	spans := make([]ptrace.Span, len(classifyCases))
	for i, tc := range classifyCases {
		spans[i] = newSpan(t, tc.span, tc.attrs)
	}
	allocs := testing.AllocsPerRun(20, func() {
		for _, s := range spans {
			if s.Name() == "agent" { // the escaped MLflow literal needs the JSON decoder
				continue
			}
			Classify(s)
		}
	})
	assert.Zero(t, allocs)
}

func TestKindStringRoundTrip(t *testing.T) {
	for _, k := range []Kind{KindOther, KindLLM, KindTool, KindAgent} {
		assert.Equal(t, k, ParseKind(k.String()))
	}
	assert.Equal(t, KindOther, ParseKind("LLM"))
}

func TestIsGenAIEvent(t *testing.T) {
	tests := []struct {
		name      string
		eventName string
		attrs     map[string]any
		want      bool
	}{
		{"event name", "gen_ai.client.inference.operation.details", nil, true},
		{"event.name attribute", "", map[string]any{"event.name": "gen_ai.user.message"}, true},
		{"other event", "browser.click", map[string]any{"event.name": "exception"}, false},
		{"event.name not a string", "", map[string]any{"event.name": 3}, false},
		{"plain log", "", map[string]any{"gen_ai.system": "openai"}, false},
		{"prefix without dot", "gen_aix", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lr := plog.NewLogRecord()
			lr.SetEventName(tt.eventName)
			require.NoError(t, lr.Attributes().FromRaw(tt.attrs))
			assert.Equal(t, tt.want, IsGenAIEvent(lr))
		})
	}
}

func TestAgentIDOf(t *testing.T) {
	tests := []struct {
		name      string
		spanAttrs map[string]any
		resAttrs  map[string]any
		want      string
	}{
		{"processor attribute wins", map[string]any{AttrAgentID: " support-bot "}, map[string]any{"service.name": "svc"}, "support-bot"},
		{"service name", nil, map[string]any{"service.name": " checkout\n"}, "checkout"},
		{"blank attribute falls back", map[string]any{AttrAgentID: "  "}, map[string]any{"service.name": "svc"}, "svc"},
		{"non-string attribute ignored", map[string]any{AttrAgentID: 7}, map[string]any{"service.name": "svc"}, "svc"},
		{"neither", map[string]any{"gen_ai.agent.name": "x"}, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := pcommon.NewResource()
			require.NoError(t, res.Attributes().FromRaw(tt.resAttrs))
			assert.Equal(t, tt.want, AgentIDOf(newSpan(t, "s", tt.spanAttrs), res))
		})
	}
}
