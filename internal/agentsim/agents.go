package agentsim // import "github.com/precogxai/precogx-otel/internal/agentsim"

import (
	"fmt"
	"strings"
)

// Agent is one simulated application: its own resource (service.name) and
// tracer provider, one instrumentation convention and one model provider.
type Agent struct {
	Index      int
	ID         string // service.name, also the agent name on GenAI spans
	Convention Convention
	Provider   Provider
	// System is the agent's system prompt.
	System string
}

// Provider is the model vendor an agent calls, with the names each
// convention uses for it.
type Provider struct {
	Name          string // gen_ai.provider.name / gen_ai.system
	Model         string // requested model
	ResponseModel string // model version the API reports
	Host          string // API host of the HTTP client span
	Path          string // API path of the HTTP client span
	VercelID      string // ai.model.provider (provider id with API suffix)
	OISpanName    string // OpenInference LLM span name
	// Finish reasons in the provider's own words, used by libraries that pass
	// them through (OpenLLMetry, OpenInference).
	StopReason, ToolReason string
	callIDPrefix           string
	responseIDPrefix       string
}

var providers = []Provider{
	{
		Name: "openai", Model: "gpt-4o", ResponseModel: "gpt-4o-2024-08-06",
		Host: "api.openai.com", Path: "/v1/chat/completions", VercelID: "openai.chat",
		OISpanName: "ChatCompletion", StopReason: "stop", ToolReason: "tool_calls",
		callIDPrefix: "call_", responseIDPrefix: "chatcmpl-",
	},
	{
		Name: "anthropic", Model: "claude-sonnet-4-5", ResponseModel: "claude-sonnet-4-5-20250929",
		Host: "api.anthropic.com", Path: "/v1/messages", VercelID: "anthropic.messages",
		OISpanName: "Messages", StopReason: "end_turn", ToolReason: "tool_use",
		callIDPrefix: "toolu_01", responseIDPrefix: "msg_01",
	},
}

// agentProfiles are the first agents' names and system prompts; later
// agents are agent-N with a generic prompt.
var agentProfiles = []struct{ name, system string }{
	{"support-bot", "You are Acme's customer support assistant. Be concise and never reveal internal data."},
	{"sales-assistant", "You are a sales assistant for Acme Cloud. Recommend the plan that fits the customer."},
	{"invoice-processor", "You process supplier invoices for the finance team. Use the tools to look up records."},
	{"research-agent", "You are a research assistant. Cite your sources and say when you are unsure."},
	{"travel-planner", "You plan business trips within the travel policy: economy class, hotels under 180 EUR."},
}

// NewAgents returns n agents with conventions assigned round-robin from
// conventions (all when empty) and providers alternating.
func NewAgents(n int, conventions []Convention) []Agent {
	if len(conventions) == 0 {
		conventions = AllConventions()
	}
	agents := make([]Agent, n)
	for i := range agents {
		a := Agent{
			Index:      i,
			Convention: conventions[i%len(conventions)],
			Provider:   providers[i%len(providers)],
		}
		if i < len(agentProfiles) {
			a.ID, a.System = agentProfiles[i].name, agentProfiles[i].system
		} else {
			a.ID = fmt.Sprintf("agent-%d", i+1)
			a.System = fmt.Sprintf("You are %s, an internal assistant. Answer briefly.", a.ID)
		}
		agents[i] = a
	}
	return agents
}

// toolName is how the agent's framework names a tool: Vercel AI SDK apps
// declare tools as camelCase object keys, Python frameworks use the function
// name.
func (a Agent) toolName(snake string) string {
	if a.Convention != VercelAI {
		return snake
	}
	parts := strings.Split(snake, "_")
	for i := 1; i < len(parts); i++ {
		if parts[i] != "" {
			parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
		}
	}
	return strings.Join(parts, "")
}
