package agentsim_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/precogxai/precogx-otel/internal/agentsim"
	"github.com/precogxai/precogx-otel/internal/genai"
	"github.com/precogxai/precogx-otel/internal/precogxapi"
)

// TestGenAIConvertMeetsExpectations runs the collector's extraction over the
// simulator's spans: every expectation arrives once, with its prompt,
// response, tool calls and session, and nothing else does.
func TestGenAIConvertMeetsExpectations(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	rep, err := agentsim.Generate(context.Background(), agentsim.Config{Agents: 5, Traces: 24, Seed: 3}, exp)
	require.NoError(t, err)

	res := genai.Convert(agentsim.ToTraces(exp.GetSpans().Snapshots()), genai.Options{})
	got := map[string]precogxapi.Interaction{}
	for _, b := range res.Batches {
		for _, in := range b.Interactions {
			got[in.Metadata.TraceID+"/"+in.Metadata.SpanID] = in
		}
	}
	require.Len(t, got, len(rep.Expected), "one interaction per expectation")

	for _, e := range rep.Expected {
		in, ok := got[e.TraceID+"/"+e.SpanID]
		require.True(t, ok, "no interaction for %s %s span %s", e.Convention, e.Scenario, e.SpanID)
		assert.Equal(t, e.AgentID, in.AgentID)
		assert.Equal(t, e.Prompt, in.Prompt, "%s %s", e.Convention, e.Scenario)
		assert.Equal(t, e.Response, in.Response, "%s %s", e.Convention, e.Scenario)
		require.Len(t, in.ToolCalls, len(e.ToolCalls), "%s %s", e.Convention, e.Scenario)
		for i, c := range e.ToolCalls {
			assert.Equal(t, c.Name, in.ToolCalls[i].ToolName)
			assert.JSONEq(t, string(c.Params), string(in.ToolCalls[i].Parameters))
			assert.Equal(t, c.Result, in.ToolCalls[i].Result, "%s %s", e.Convention, e.Scenario)
		}
		session := in.Metadata.SessionID
		if session == "" {
			session = in.Metadata.ConversationID
		}
		assert.Equal(t, e.SessionID, session, "%s %s", e.Convention, e.Scenario)
	}
}
