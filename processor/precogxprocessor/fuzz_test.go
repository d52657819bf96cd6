package precogxprocessor

import (
	"errors"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor/processorhelper"

	"github.com/precogxai/precogx-otel/internal/genai"
)

// FuzzProcessTraces checks, for random keys and values on spans and
// resources, that every span is either dropped or stamped with exactly the
// agent id and class an independent reading of the rules gives.
func FuzzProcessTraces(f *testing.F) {
	f.Add("gen_ai.agent.name", " weather-agent ", "service.name", "weather-svc", "chat", false)
	f.Add("agent.name", uuidAgent, "agent.name", "", "execute_tool", true)
	f.Add("service.name", "", "service.name", "\t", "invoke_agent", false)
	f.Add("x", "\x00\xff", "y", runAgent, "", true)
	f.Add("gen_ai.operation.name", "chat", "gen_ai.agent.name", "01ARZ3NDEKTSV4RRFFQ69G5FAV", "embeddings", true)
	f.Fuzz(func(t *testing.T, key, value, resKey, resValue, operation string, dropRandom bool) {
		cfg := createDefaultConfig().(*Config)
		cfg.AgentID.From = []string{key, "service.name"}
		if dropRandom {
			cfg.AgentID.RandomIDs = RandomIDsDrop
		}
		if confmap.Validate(cfg) != nil {
			return // an empty key or a duplicate of service.name: rejected at startup
		}
		in := newTraces(testResource{
			attrs: map[string]any{resKey: resValue},
			scopes: [][]testSpan{{
				{name: "span", attrs: map[string]any{key: value, "gen_ai.operation.name": operation}},
				otelChat.with(map[string]any{key: value}),
				httpSpan.with(map[string]any{key: value}),
			}},
		})
		want := expectedStamps(in, cfg)

		out, err := newTestTracesProcessor(t, cfg).processTraces(t.Context(), in)
		got := stampsOf(out)
		if (len(want) == 0) != errors.Is(err, processorhelper.ErrSkipProcessingData) {
			t.Fatalf("want %d spans kept, got error %v", len(want), err)
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("stamps:\n got %q\nwant %q", got, want)
		}
	})
}

// expectedStamps applies the rules to every span, independently of the
// resolver: the first non-empty trimmed string of the keys, span before
// resource; drop when none, or when it looks random under random_ids: drop.
func expectedStamps(td ptrace.Traces, cfg *Config) []string {
	var out []string
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		res := rss.At(i).Resource().Attributes()
		spans := rss.At(i).ScopeSpans().At(0).Spans()
		for j := 0; j < spans.Len(); j++ {
			span := spans.At(j)
			kind := genai.Classify(span)
			if kind == genai.KindOther {
				continue
			}
			id := ""
			for _, key := range cfg.AgentID.From {
				for _, m := range []pcommon.Map{span.Attributes(), res} {
					if v, ok := m.Get(key); ok && v.Type() == pcommon.ValueTypeStr && id == "" {
						id = strings.TrimSpace(v.Str())
					}
				}
			}
			if id == "" || (cfg.AgentID.RandomIDs == RandomIDsDrop && looksRandom(id)) {
				continue
			}
			out = append(out, id+" "+kind.String())
		}
	}
	return out
}

func stampsOf(td ptrace.Traces) []string {
	var out []string
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		spans := rss.At(i).ScopeSpans().At(0).Spans()
		for j := 0; j < spans.Len(); j++ {
			attrs := spans.At(j).Attributes()
			id, _ := attrs.Get(genai.AttrAgentID)
			kind, _ := attrs.Get(genai.AttrKind)
			out = append(out, id.Str()+" "+kind.Str())
		}
	}
	return out
}

// FuzzLooksRandom checks that the verdict depends on the id's own runs only:
// framing it with separators and plain words never changes it.
func FuzzLooksRandom(f *testing.F) {
	for _, id := range append([]string{uuidAgent, runAgent, "01ARZ3NDEKTSV4RRFFQ69G5FAV", "x7Kp2mQ9vL4nR8sT1wZa"}, realNames...) {
		f.Add(id)
	}
	f.Fuzz(func(t *testing.T, id string) {
		verdict := looksRandom(id)
		if framed := looksRandom("agent-" + id + "-prod"); framed != verdict {
			t.Fatalf("looksRandom(%q) = %v but framed = %v", id, verdict, framed)
		}
	})
}
