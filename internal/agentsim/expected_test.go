package agentsim

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

func generate(t *testing.T, cfg Config) (tracetest.SpanStubs, Report) {
	t.Helper()
	exp := tracetest.NewInMemoryExporter()
	rep, err := Generate(context.Background(), cfg, exp)
	require.NoError(t, err)
	return exp.GetSpans(), rep
}

// TestExpectationsMatchSpans reads every trace back with the reference
// reader and checks each expectation against the span it names: the trailing
// user message, the response, the requested calls and their results found
// later in the trace, the agent span folding into the last model call, and
// one expectation per model call.
func TestExpectationsMatchSpans(t *testing.T) {
	for _, conv := range AllConventions() {
		t.Run(string(conv), func(t *testing.T) {
			stubs, rep := generate(t, Config{Agents: 1, Conventions: []Convention{conv}, Traces: 30, Seed: 7})
			traces := groupTraces(stubs)
			require.Len(t, traces, 30)

			byTrace := map[string][]Expected{}
			for _, e := range rep.Expected {
				byTrace[e.TraceID] = append(byTrace[e.TraceID], e)
			}
			withHistory, withCalls := 0, 0
			for id, tr := range traces {
				exps := byTrace[id]
				var llm []string
				for _, s := range tr.ordered {
					if isLLM(conv, s) {
						llm = append(llm, s.SpanContext.SpanID().String())
					}
				}
				require.Len(t, exps, len(llm), "one expectation per model call in trace %s", id)
				for i, e := range exps {
					assert.Equal(t, llm[i], e.SpanID, "expectations follow call order")
					assert.Equal(t, "support-bot", e.AgentID)
					assert.Equal(t, conv, e.Convention)
					r := readLLM(t, conv, tr.byID[e.SpanID])
					require.NotEmpty(t, r.users)
					assert.Equal(t, e.Prompt, r.users[len(r.users)-1], "prompt is the trailing user message")
					if len(r.users) > 1 {
						withHistory++
						assert.NotContains(t, r.users[:len(r.users)-1], e.Prompt, "history never repeats the prompt")
					}
					assert.Equal(t, e.Response, r.response)
					require.Len(t, r.calls, len(e.ToolCalls))
					for j, c := range r.calls {
						withCalls++
						want := e.ToolCalls[j]
						assert.Equal(t, want.Name, c.name)
						assert.JSONEq(t, string(want.Params), c.args)
						assert.Equal(t, want.Result, resultOf(t, conv, tr, e.SpanID, c), "result of %s", c.name)
					}
					if conv.carriesSession() {
						assert.Equal(t, e.SessionID, sessionOf(tr, tr.byID[e.SpanID]))
					} else {
						assert.Empty(t, e.SessionID)
					}
				}
				last := exps[len(exps)-1]
				for _, s := range tr.spans {
					if prompt, response, ok := readAgent(t, conv, s); ok {
						assert.Equal(t, last.Prompt, prompt, "agent span %s folds into the last call", spanLabel(s))
						assert.Equal(t, last.Response, response, "agent span %s folds into the last call", spanLabel(s))
					}
				}
			}
			assert.Positive(t, withHistory, "some turns carry history")
			assert.Positive(t, withCalls, "some turns call tools")
		})
	}
}

// resultOf finds the result of call c requested by span llmID in the next
// model call's input (by call id) and, except in the events convention, which
// has no tool spans, in the tool-execution span (by id, or by name where the
// library records no id). Both must be present and agree.
func resultOf(t *testing.T, conv Convention, tr *traceSpans, llmID string, c readCall) string {
	t.Helper()
	var inInput, inTool []string
	after := false
	for _, s := range tr.ordered {
		if s.SpanContext.SpanID().String() == llmID {
			after = true
			continue
		}
		if !after {
			continue
		}
		if isLLM(conv, s) {
			if res, ok := readLLM(t, conv, s).results[c.id]; ok {
				inInput = append(inInput, res)
			}
		}
		if tool, ok := readTool(t, conv, s); ok && (tool.id == c.id || tool.id == "" && tool.name == c.name) {
			assert.JSONEq(t, c.args, tool.args, "tool span arguments")
			inTool = append(inTool, tool.result)
		}
	}
	require.Len(t, inInput, 1, "result of call %s in a later model call's input", c.id)
	if conv != OTelGenAIEvents {
		require.Equal(t, inInput, inTool, "tool span result of call %s", c.id)
	}
	return inInput[0]
}

// sessionOf walks from s to the root for the first session attribute of any
// convention.
func sessionOf(tr *traceSpans, s tracetest.SpanStub) string {
	keys := []string{"gen_ai.conversation.id", "session.id", "traceloop.association.properties.session_id", "ai.telemetry.metadata.sessionId"}
	for {
		a := attrsOf(s)
		for _, k := range keys {
			if a.has(k) {
				return a.str(k)
			}
		}
		p, ok := tr.parent(s)
		if !ok {
			return ""
		}
		s = p
	}
}

func TestScenarioContent(t *testing.T) {
	for _, conv := range AllConventions() {
		t.Run(string(conv), func(t *testing.T) {
			for _, sc := range AllScenarios() {
				_, rep := generate(t, Config{Agents: 1, Conventions: []Convention{conv}, Scenarios: []Scenario{sc}, Traces: 4, Seed: 3})
				require.NotEmpty(t, rep.Expected)
				for _, e := range rep.Expected {
					assert.Equal(t, sc, e.Scenario)
				}
				first, last := rep.Expected[0], rep.Expected[len(rep.Expected)-1]
				switch sc {
				case ScenarioQA, ScenarioStreaming:
					assert.Len(t, rep.Expected, 4, "one model call per turn")
					assert.NotEmpty(t, first.Response)
				case ScenarioToolRound, ScenarioDangerousTool:
					assert.Len(t, rep.Expected, 8, "two model calls per turn")
					require.Len(t, first.ToolCalls, 1)
					assert.Empty(t, first.Response, "the first call only requests the tool")
					assert.Empty(t, rep.Expected[1].ToolCalls)
					if sc == ScenarioDangerousTool {
						p := string(first.ToolCalls[0].Params)
						assert.True(t, strings.Contains(p, "rm -rf /var/lib/app") || strings.Contains(p, "DROP TABLE"), p)
					}
				case ScenarioPromptInjection:
					assert.Contains(t, last.Prompt, "Ignore")
				case ScenarioPII:
					assert.Contains(t, last.Prompt, "4111 1111 1111 1111")
					assert.Contains(t, last.Prompt, "123-45-6789")
					assert.Contains(t, last.Prompt, "@example.")
				}
			}
		})
	}
}

func TestScenarioMixIsDeterministic(t *testing.T) {
	cfg := Config{Agents: 3, Traces: 20, Seed: 42}
	_, a := generate(t, cfg)
	_, b := generate(t, cfg)
	require.Equal(t, len(a.Expected), len(b.Expected))
	for i := range a.Expected {
		x, y := a.Expected[i], b.Expected[i]
		x.TraceID, x.SpanID, y.TraceID, y.SpanID = "", "", "", ""
		assert.Equal(t, x, y)
	}

	cfg.Seed = 43
	_, c := generate(t, cfg)
	assert.NotEqual(t, prompts(a), prompts(c), "another seed plays another mix")
}

func prompts(r Report) []string {
	var out []string
	for _, e := range r.Expected {
		out = append(out, e.Prompt)
	}
	return out
}

func TestEveryScenarioPlaysEarly(t *testing.T) {
	_, rep := generate(t, Config{Agents: 5, Traces: len(AllScenarios()), Seed: 9})
	seen := map[string]map[Scenario]bool{}
	for _, e := range rep.Expected {
		if seen[e.AgentID] == nil {
			seen[e.AgentID] = map[Scenario]bool{}
		}
		seen[e.AgentID][e.Scenario] = true
	}
	require.Len(t, seen, 5)
	for agent, s := range seen {
		assert.Len(t, s, len(AllScenarios()), agent)
	}
}

func TestWriteJSONL(t *testing.T) {
	_, rep := generate(t, Config{Agents: 2, Scenarios: []Scenario{ScenarioToolRound}, Traces: 2, Seed: 1})
	var buf bytes.Buffer
	require.NoError(t, WriteJSONL(&buf, rep.Expected))
	assert.Contains(t, buf.String(), `"params":{"`, "params are embedded as JSON objects")

	sc := bufio.NewScanner(&buf)
	var got []Expected
	for sc.Scan() {
		var e Expected
		require.NoError(t, json.Unmarshal(sc.Bytes(), &e))
		got = append(got, e)
	}
	require.Len(t, got, len(rep.Expected))
	for i := range got {
		assert.Equal(t, rep.Expected[i].Prompt, got[i].Prompt)
		assert.Equal(t, rep.Expected[i].SpanID, got[i].SpanID)
		if len(got[i].ToolCalls) > 0 {
			assert.JSONEq(t, string(rep.Expected[i].ToolCalls[0].Params), string(got[i].ToolCalls[0].Params))
		}
	}
}
