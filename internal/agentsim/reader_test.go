package agentsim

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// A minimal, independent reader of each convention, written from the
// conventions reference, used to prove that the emitted spans carry exactly
// what the expectations say.

// reading is what one LLM (or agent) span says.
type reading struct {
	users    []string // user messages of the input, in order
	response string
	calls    []readCall        // tool calls requested in the output
	results  map[string]string // tool results in the input, by call id
}

type readCall struct{ id, name, args string }

// toolReading is what one tool-execution span says.
type toolReading struct{ id, name, args, result string }

type spanAttrs map[string]attribute.Value

func attrsOf(s tracetest.SpanStub) spanAttrs {
	m := spanAttrs{}
	for _, kv := range s.Attributes {
		m[string(kv.Key)] = kv.Value
	}
	return m
}

func (a spanAttrs) str(key string) string { return a[key].AsString() }

func (a spanAttrs) has(key string) bool { _, ok := a[key]; return ok }

// indexed regroups flattened keys prefix.<i>.<rest> into rest-maps by index.
func (a spanAttrs) indexed(prefix string) []map[string]string {
	byIndex := map[int]map[string]string{}
	for k, v := range a {
		rest, ok := strings.CutPrefix(k, prefix+".")
		if !ok {
			continue
		}
		num, field, ok := strings.Cut(rest, ".")
		if !ok {
			continue
		}
		i, err := strconv.Atoi(num)
		if err != nil {
			continue
		}
		if byIndex[i] == nil {
			byIndex[i] = map[string]string{}
		}
		byIndex[i][field] = v.AsString()
	}
	out := make([]map[string]string, len(byIndex))
	for i, m := range byIndex {
		out[i] = m
	}
	return out
}

func decode[T any](t *testing.T, text string) T {
	t.Helper()
	var v T
	require.NoError(t, json.Unmarshal([]byte(text), &v), "JSON %q", text)
	return v
}

// isLLM tells a model-call span of the convention.
func isLLM(c Convention, s tracetest.SpanStub) bool {
	a := attrsOf(s)
	switch c {
	case OTelGenAI, OTelGenAIEvents:
		return a.str("gen_ai.operation.name") == "chat"
	case OpenLLMetry:
		return a.str("llm.request.type") == "chat"
	case OpenInference:
		return a.str("openinference.span.kind") == "LLM"
	case VercelAI:
		op := a.str("ai.operationId")
		return strings.HasSuffix(op, ".doGenerate") || strings.HasSuffix(op, ".doStream")
	}
	return false
}

func readLLM(t *testing.T, c Convention, s tracetest.SpanStub) reading {
	t.Helper()
	a := attrsOf(s)
	r := reading{results: map[string]string{}}
	switch c {
	case OTelGenAI:
		type part struct {
			Type      string          `json:"type"`
			Content   string          `json:"content"`
			ID        string          `json:"id"`
			Name      string          `json:"name"`
			Arguments json.RawMessage `json:"arguments"`
			Response  string          `json:"response"`
		}
		type msg struct {
			Role  string `json:"role"`
			Parts []part `json:"parts"`
		}
		for _, m := range decode[[]msg](t, a.str("gen_ai.input.messages")) {
			for _, p := range m.Parts {
				switch {
				case m.Role == "user" && p.Type == "text":
					r.users = append(r.users, p.Content)
				case p.Type == "tool_call_response":
					r.results[p.ID] = p.Response
				}
			}
		}
		for _, m := range decode[[]msg](t, a.str("gen_ai.output.messages")) {
			for _, p := range m.Parts {
				switch p.Type {
				case "text":
					r.response += p.Content
				case "tool_call":
					r.calls = append(r.calls, readCall{p.ID, p.Name, string(p.Arguments)})
				}
			}
		}
	case OpenLLMetry:
		for _, m := range a.indexed("gen_ai.prompt") {
			switch m["role"] {
			case "user":
				r.users = append(r.users, m["content"])
			case "tool":
				r.results[m["tool_call_id"]] = m["content"]
			}
		}
		r.response = a.str("gen_ai.completion.0.content")
		for _, tc := range a.indexed("gen_ai.completion.0.tool_calls") {
			r.calls = append(r.calls, readCall{tc["id"], tc["name"], tc["arguments"]})
		}
	case OpenInference:
		for _, m := range a.indexed("llm.input_messages") {
			switch m["message.role"] {
			case "user":
				r.users = append(r.users, m["message.content"])
			case "tool":
				r.results[m["message.tool_call_id"]] = m["message.content"]
			}
		}
		r.response = a.str("llm.output_messages.0.message.content")
		for _, tc := range a.indexed("llm.output_messages.0.message.tool_calls") {
			r.calls = append(r.calls, readCall{tc["tool_call.id"], tc["tool_call.function.name"], tc["tool_call.function.arguments"]})
		}
	case VercelAI:
		type part struct {
			Type       string `json:"type"`
			Text       string `json:"text"`
			ToolCallID string `json:"toolCallId"`
			Output     struct {
				Type  string `json:"type"`
				Value string `json:"value"`
			} `json:"output"`
		}
		type msg struct {
			Role    string          `json:"role"`
			Content json.RawMessage `json:"content"`
		}
		for _, m := range decode[[]msg](t, a.str("ai.prompt.messages")) {
			if m.Role == "system" {
				continue
			}
			for _, p := range decode[[]part](t, string(m.Content)) {
				switch {
				case m.Role == "user" && p.Type == "text":
					r.users = append(r.users, p.Text)
				case p.Type == "tool-result":
					r.results[p.ToolCallID] = p.Output.Value
				}
			}
		}
		r.response = a.str("ai.response.text")
		if a.has("ai.response.toolCalls") {
			type call struct{ ToolCallID, ToolName, Input string }
			for _, c := range decode[[]call](t, a.str("ai.response.toolCalls")) {
				r.calls = append(r.calls, readCall{c.ToolCallID, c.ToolName, c.Input})
			}
		}
	case OTelGenAIEvents:
		readEvents(t, s, &r)
	}
	return r
}

func readEvents(t *testing.T, s tracetest.SpanStub, r *reading) {
	type toolCall struct {
		ID       string `json:"id"`
		Function struct{ Name, Arguments string }
	}
	type msg struct {
		Role      string     `json:"role"`
		Content   string     `json:"content"`
		ToolCalls []toolCall `json:"tool_calls"`
	}
	output := func(m msg) {
		r.response = m.Content
		for _, tc := range m.ToolCalls {
			r.calls = append(r.calls, readCall{tc.ID, tc.Function.Name, tc.Function.Arguments})
		}
	}
	for _, ev := range s.Events {
		a := spanAttrs{}
		for _, kv := range ev.Attributes {
			a[string(kv.Key)] = kv.Value
		}
		switch ev.Name {
		case "gen_ai.content.prompt":
			for _, m := range decode[[]msg](t, a.str("gen_ai.prompt")) {
				if m.Role == "user" {
					r.users = append(r.users, m.Content)
				}
			}
		case "gen_ai.content.completion":
			output(decode[[]msg](t, a.str("gen_ai.completion"))[0])
		case "gen_ai.user.message":
			r.users = append(r.users, a.str("content"))
		case "gen_ai.tool.message":
			r.results[a.str("id")] = a.str("content")
		case "gen_ai.choice":
			output(decode[msg](t, a.str("message")))
		}
	}
}

// readTool reads a tool-execution span; ok is false for other spans.
func readTool(t *testing.T, c Convention, s tracetest.SpanStub) (toolReading, bool) {
	t.Helper()
	a := attrsOf(s)
	switch {
	case c == OTelGenAI && a.str("gen_ai.operation.name") == "execute_tool":
		return toolReading{a.str("gen_ai.tool.call.id"), a.str("gen_ai.tool.name"),
			a.str("gen_ai.tool.call.arguments"), a.str("gen_ai.tool.call.result")}, true
	case c == OpenLLMetry && a.str("traceloop.span.kind") == "tool":
		in := decode[struct{ Kwargs json.RawMessage }](t, a.str("traceloop.entity.input"))
		return toolReading{"", a.str("traceloop.entity.name"), string(in.Kwargs),
			decode[string](t, a.str("traceloop.entity.output"))}, true
	case c == OpenInference && a.str("openinference.span.kind") == "TOOL":
		return toolReading{"", a.str("tool.name"), a.str("input.value"), a.str("output.value")}, true
	case c == VercelAI && a.str("ai.operationId") == "ai.toolCall":
		return toolReading{a.str("ai.toolCall.id"), a.str("ai.toolCall.name"),
			a.str("ai.toolCall.args"), decode[string](t, a.str("ai.toolCall.result"))}, true
	}
	return toolReading{}, false
}

// readAgent reads the agent (or root operation) span's input and output;
// ok is false for other spans.
func readAgent(t *testing.T, c Convention, s tracetest.SpanStub) (prompt, response string, ok bool) {
	t.Helper()
	a := attrsOf(s)
	switch {
	case c == OTelGenAI && a.str("gen_ai.operation.name") == "invoke_agent":
		r := readLLM(t, c, s)
		return r.users[len(r.users)-1], r.response, true
	case c == OpenLLMetry && a.str("traceloop.span.kind") == "agent":
		in := decode[struct{ Args []string }](t, a.str("traceloop.entity.input"))
		return in.Args[len(in.Args)-1], decode[string](t, a.str("traceloop.entity.output")), true
	case c == OpenInference && a.str("openinference.span.kind") == "AGENT":
		return a.str("input.value"), a.str("output.value"), true
	case c == VercelAI && (a.str("ai.operationId") == "ai.generateText" || a.str("ai.operationId") == "ai.streamText"):
		p := decode[struct {
			Prompt   string
			Messages []struct {
				Role    string
				Content []struct{ Text string }
			}
		}](t, a.str("ai.prompt"))
		prompt = p.Prompt
		for _, m := range p.Messages {
			if m.Role == "user" {
				prompt = m.Content[0].Text
			}
		}
		return prompt, a.str("ai.response.text"), true
	}
	return "", "", false
}

// trace groups one trace's spans.
type traceSpans struct {
	spans   []tracetest.SpanStub
	byID    map[string]tracetest.SpanStub
	ordered []tracetest.SpanStub // by start time
}

func groupTraces(stubs tracetest.SpanStubs) map[string]*traceSpans {
	out := map[string]*traceSpans{}
	for _, s := range stubs {
		id := s.SpanContext.TraceID().String()
		tr := out[id]
		if tr == nil {
			tr = &traceSpans{byID: map[string]tracetest.SpanStub{}}
			out[id] = tr
		}
		tr.spans = append(tr.spans, s)
		tr.byID[s.SpanContext.SpanID().String()] = s
	}
	for _, tr := range out {
		tr.ordered = append([]tracetest.SpanStub(nil), tr.spans...)
		sort.SliceStable(tr.ordered, func(i, j int) bool { return tr.ordered[i].StartTime.Before(tr.ordered[j].StartTime) })
	}
	return out
}

func (tr *traceSpans) parent(s tracetest.SpanStub) (tracetest.SpanStub, bool) {
	p, ok := tr.byID[s.Parent.SpanID().String()]
	return p, ok
}

// named returns the spans called name, in start order.
func (tr *traceSpans) named(name string) []tracetest.SpanStub {
	var out []tracetest.SpanStub
	for _, s := range tr.ordered {
		if s.Name == name {
			out = append(out, s)
		}
	}
	return out
}

func (tr *traceSpans) root(t *testing.T) tracetest.SpanStub {
	t.Helper()
	for _, s := range tr.spans {
		if !s.Parent.IsValid() {
			return s
		}
	}
	require.FailNow(t, "trace without root")
	return tracetest.SpanStub{}
}

func spanLabel(s tracetest.SpanStub) string {
	return fmt.Sprintf("%s (%s)", s.Name, s.SpanContext.SpanID())
}
