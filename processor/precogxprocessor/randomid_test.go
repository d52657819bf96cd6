package precogxprocessor

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/otel/metric/noop"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/precogxai/precogx-otel/processor/precogxprocessor/internal/metadata"
	"github.com/precogxai/precogx-otel/processor/precogxprocessor/internal/metadatatest"
)

func TestLooksRandomFlagsGeneratedIDs(t *testing.T) {
	for _, id := range []string{
		"6f1c2b1e-8d4a-4c3e-9a7b-2f5e8c1d0a9b",       // UUID v4
		"0190F3A2-7C4E-7B3A-9F1D-3C2B1A0E9D8C",       // UUID v7, upper case
		"agent-6f1c2b1e-8d4a-4c3e-9a7b-2f5e8c1d0a9b", // UUID in a name
		"support-bot:6f1c2b1e-8d4a-4c3e-9a7b-2f5e8c1d0a9b-prod",
		"6f1c2b1e8d4a4c3e9a7b2f5e8c1d0a9b",         // UUID without dashes
		"2fd4e1c67a2d28fced849ee1bb76e7391b93eb12", // SHA-1
		"507f1f77bcf86cd799439011",                 // MongoDB ObjectID
		"bot-c754281eea88",                         // 12 hex digits
		"run-1733412345",                           // unix seconds
		"agent_1733412345123",                      // unix milliseconds
		"1541815603606036480",                      // snowflake
		"01ARZ3NDEKTSV4RRFFQ69G5FAV",               // ULID
		"checkout-7d9f8b6c5-x2k4j",                 // Kubernetes pod name
		"session_2b7KpQ9xLmN4vR8sT1wZ",             // base62
		"agent-x7Kp2mQ9vL4nR8sT",                   // base62
		"0ujtsYcgvSTl8PAuAdqWYSMnLOv",              // KSUID
	} {
		assert.True(t, looksRandom(id), "%q should look random", id)
	}
}

// TestLooksRandomThresholds pins each rule just below and at its threshold.
func TestLooksRandomThresholds(t *testing.T) {
	for id, want := range map[string]bool{
		"deadbeef-cafe-face-bead-decafbadfeed": true,  // UUID layout, letters only
		"deadbeef-cafe-face-bead+decafbadfeed": false, // not a UUID layout
		"bot-abcdefabcdefabc":                  false, // 15 hex letters
		"bot-abcdefabcdefabcd":                 true,  // 16
		"bot-abcdefabcd1":                      false, // 11 hex, mixed
		"bot-abcdefabcde1":                     true,  // 12
		"bot-123456789":                        false, // 9 digits
		"bot-1234567890":                       true,  // 10
		"bot-a1b2c3x":                          false, // 4 digit groups, 7 characters
		"bot-a1b2c3x4":                         true,  // 4 digit groups, 8 characters
		"bot-x2kw4j7":                          false, // no vowel, 7 characters
		"bot-x2kw4jqz":                         true,  // no vowel, 2 digit groups, 8 characters
		"bot-xzkw4jqz":                         false, // no vowel, 1 digit group
		"AbCdEfGhIjK":                          false, // 11 characters, 0 lone lower
		"bQxWvQkTnRzL":                         true,  // 12, lone lower-case letters
		"ABxxCDxxEFx":                          false, // 11 characters, 3 upper-case runs
		"ABxxCDxxEFxx":                         true,  // 12
	} {
		assert.Equal(t, want, looksRandom(id), id)
	}
}

// realNames are agent and service names as people choose them; none may be
// flagged, since random_ids: drop would drop their data.
var realNames = []string{
	"support-bot-prod", "invoice-processor-v2", "gpt-4o-agent", "checkout-svc", "chatbot-staging", "weather-agent",
	"Math Tutor", "Customer Support Bot (EU)", "weather-agent@v1.2.0", "travel:planner:v2", "urn:agent:sales-assistant",
	"prod/support/bot", "agent.invoice.reconciler.prod", "customer-support-agent-v2.3.1", "SupportAgent_EMEA_Tier2",
	"CustomerSupportAgentV2", "HTTPServerAgent", "HTTPSProxyAgent", "XMLtoJSONConverterBot", "HRPolicyQABot",
	"AcmeCorpSupportBotPROD", "AWSCostOptimizerAgent", "ITHelpdeskL1Agent", "PDFExtractorAgentV2", "NL2SQLAgent",
	"DALLE3Artist", "GPT4VisionBot", "iPhoneAppSupportBot", "eBayListingAssistant", "iOSHelperBot",
	"macOSAutomationAgent", "vertexAIGeminiProAgent", "crewAIResearcher", "multiAgentSupervisorWithReflectionV4",
	"myAgent2ForTestingV3Bot", "gpt4oMiniAgent", "ragPipelineQA2024", "grpcGatewayBot", "ctrlPlaneAgent",
	"claude-3-5-sonnet-20241022", "gemini-2.5-flash", "llama-3.1-405b-instruct-turbo", "Llama3p1Instruct8b",
	"Qwen2p5Coder32bInstruct", "DeepSeekR1DistillQwen32B", "mistral-large-2411-bot", "o3-mini-high-reasoner",
	"text-embedding-3-large-agent", "bge-m3-reranker-agent", "amazon-bedrock-claude3-haiku", "x-ai-grok-2-bot",
	"research-assistant-eu-west-1", "orders-bot-us-east-2-prod", "eu-west-1-rag-qa-bot-v2-a", "billing-agent-7f3a9c1",
	"smart-home-controller-2025", "q4-2025-forecast-agent", "agent-2025-06-30", "fin-analyst-20250101", "bot_v20250630",
	"adservice", "cartservice", "checkoutservice", "frauddetectionservice", "productcatalogservice",
	"recommendationservice", "frontend-proxy", "loadgenerator", "flagd", "internationalization-assistant",
	"supercalifragilisticexpialidocious", "customer_support_agent_v3_production", "kubernetes-troubleshooter",
	"PaymentsReconciliationAgent", "LangGraphSupervisor", "AutoGPTRunner", "BabyAGI", "SQLAnalystAgent",
	"pdf2txt-worker", "s3-uploader-agent", "k8s-ops-copilot", "TxtToSqlBot", "whisper-v3-transcriber",
	"tech-support-lvl2", "CodeInterpreterSandboxRunner", "BrowserUseWebNavigatorAgent", "SpeechToTextTranscriberV2",
	"retrieval-augmented-generation-orchestrator", "rlhf-feedback-collector", "Rechtsschutz-Assistent",
	"Versicherungsberater", "Bildverarbeitungsagent", "asistente-de-ventas", "agent-de-support-client",
	"ChatGPTPluginBridge", "GitHubCopilotReviewer", "JIRATicketTriager", "MSTeamsMeetingSummarizer", "agent-42",
	"sales-copilot-v10", "поддержка-бот", "客服助手", "",
}

func TestLooksRandomKeepsChosenNames(t *testing.T) {
	for _, name := range realNames {
		assert.False(t, looksRandom(name), "%q should not look random", name)
	}
}

// TestLooksRandomDetectionRates measures the heuristic on ids drawn from the
// alphabets real generators use, with a fixed seed so the figures are stable.
func TestLooksRandomDetectionRates(t *testing.T) {
	const (
		hexDigits  = "0123456789abcdef"
		base62     = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		crockford  = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
		nanoid     = "useandom-26T198340PX75pxJACKVERYMINDBUSHWOLF_GQZbfghjklqvwyzrict"
		podHash    = "bcdfghjklmnpqrstvwxz2456789"
		samples    = 2000
		seed1      = 1
		seed2      = 2
		uuidFormat = "%s-%s-4%s-a%s-%s"
	)
	r := rand.New(rand.NewPCG(seed1, seed2))
	draw := func(alphabet string, n int) string {
		var b strings.Builder
		for range n {
			b.WriteByte(alphabet[r.IntN(len(alphabet))])
		}
		return b.String()
	}
	tests := []struct {
		name    string
		gen     func() string
		minRate float64
	}{
		{"UUID v4", func() string {
			return fmt.Sprintf(uuidFormat, draw(hexDigits, 8), draw(hexDigits, 4), draw(hexDigits, 3), draw(hexDigits, 3), draw(hexDigits, 12))
		}, 1},
		{"name + 16 hex digits", func() string { return "agent-" + draw(hexDigits, 16) }, 1},
		{"name + 12 hex digits", func() string { return "agent-" + draw(hexDigits, 12) }, 0.99},
		{"ULID", func() string { return "01" + draw(crockford, 24) }, 0.95},
		{"Kubernetes pod name", func() string { return "checkout-" + draw(podHash, 10) + "-" + draw(podHash, 5) }, 0.6},
		{"base62, 27 characters (KSUID)", func() string { return draw(base62, 27) }, 0.9},
		{"base62, 22 characters", func() string { return draw(base62, 22) }, 0.8},
		{"base62, 16 characters", func() string { return "agent-" + draw(base62, 16) }, 0.5},
		{"nanoid, 21 characters", func() string { return draw(nanoid, 21) }, 0.5},
	}
	for _, tt := range tests {
		flagged := 0
		for range samples {
			if looksRandom(tt.gen()) {
				flagged++
			}
		}
		rate := float64(flagged) / samples
		t.Logf("%-32s %5.1f%% flagged", tt.name, 100*rate)
		assert.GreaterOrEqual(t, rate, tt.minRate, tt.name)
	}
}

func TestLooksRandomDoesNotAllocate(t *testing.T) {
	ids := append([]string{"agent-6f1c2b1e-8d4a-4c3e-9a7b-2f5e8c1d0a9b", "01ARZ3NDEKTSV4RRFFQ69G5FAV"}, realNames...)
	allocs := testing.AllocsPerRun(100, func() {
		for _, id := range ids {
			looksRandom(id)
		}
	})
	assert.Zero(t, allocs)
}

func TestRandomIDLogWarnsOncePerID(t *testing.T) {
	core, logs := observer.New(zapcore.WarnLevel)
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tel.Shutdown(context.Background())) })
	tb := newTestTelemetryBuilder(t, tel)
	l := newRandomIDLog(zap.New(core), tb.ProcessorPrecogxRandomAgentIds)

	l.report(t.Context(), uuidAgent, false)
	l.report(t.Context(), uuidAgent, false)
	l.report(t.Context(), runAgent, true)
	long := "agent-" + strings.Repeat("é0123456789abcdef", 20)
	l.report(t.Context(), long, false)

	require.Equal(t, 3, logs.Len())
	first := logs.All()[0].ContextMap()
	assert.Equal(t, uuidAgent, first["agent_id"])
	assert.Equal(t, false, first["dropped"])
	assert.Equal(t, true, logs.All()[1].ContextMap()["dropped"])
	logged := logs.All()[2].ContextMap()["agent_id"].(string)
	assert.LessOrEqual(t, len(logged), maxLoggedIDBytes+len("…"))
	assert.True(t, strings.HasPrefix(long, strings.TrimSuffix(logged, "…")))
	assertRandomIDs(t, tel, 3)
}

func TestRandomIDLogForgetsTheOldestIDs(t *testing.T) {
	core, logs := observer.New(zapcore.WarnLevel)
	l := newRandomIDLog(zap.New(core), noop.Int64Counter{})
	id := func(i int) string { return fmt.Sprintf("agent-%032x", i) }

	for i := range maxRememberedRandomIDs + 1 {
		l.report(t.Context(), id(i), false)
	}
	assert.Len(t, l.seen, maxRememberedRandomIDs)
	assert.Len(t, l.order, maxRememberedRandomIDs)

	l.report(t.Context(), id(maxRememberedRandomIDs), false) // still remembered
	assert.Equal(t, maxRememberedRandomIDs+1, logs.Len())
	l.report(t.Context(), id(0), false) // the oldest, forgotten
	assert.Equal(t, maxRememberedRandomIDs+2, logs.Len())
	assert.Len(t, l.seen, maxRememberedRandomIDs)
}

func newTestTelemetryBuilder(t *testing.T, tel *componenttest.Telemetry) *metadata.TelemetryBuilder {
	t.Helper()
	tb, err := metadata.NewTelemetryBuilder(metadatatest.NewSettings(tel).TelemetrySettings)
	require.NoError(t, err)
	return tb
}
