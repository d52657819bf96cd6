package agentsim // import "github.com/precogxai/precogx-otel/internal/agentsim"

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Convention is the way an instrumentation library encodes a GenAI interaction
// on spans (sections 1-4 of the conventions reference).
type Convention string

const (
	// OTelGenAI is the current OpenTelemetry GenAI semantic conventions:
	// invoke_agent -> chat / execute_tool with gen_ai.input/output.messages.
	OTelGenAI Convention = "otel_genai"
	// OpenLLMetry is Traceloop's legacy flattened gen_ai.prompt.{i}.* format
	// under @workflow / @agent / @tool decorator spans.
	OpenLLMetry Convention = "openllmetry"
	// OpenInference is Arize's openinference.span.kind AGENT / LLM / TOOL spans.
	OpenInference Convention = "openinference"
	// VercelAI is the Vercel AI SDK legacy ai.* spans (ai 5 JSON shapes).
	VercelAI Convention = "vercel_ai"
	// OTelGenAIEvents is the older GenAI semantic conventions (1.27-1.36): chat
	// spans with gen_ai.system and the content in span events.
	OTelGenAIEvents Convention = "otel_genai_events"
)

// AllConventions lists every convention, in round-robin order.
func AllConventions() []Convention {
	return []Convention{OTelGenAI, OpenLLMetry, OpenInference, VercelAI, OTelGenAIEvents}
}

func (c Convention) valid() bool {
	for _, k := range AllConventions() {
		if c == k {
			return true
		}
	}
	return false
}

// ParseConventions reads a comma-separated list of conventions; "" or "all"
// selects all of them.
func ParseConventions(s string) ([]Convention, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "all" {
		return AllConventions(), nil
	}
	var out []Convention
	for _, name := range strings.Split(s, ",") {
		c := Convention(strings.TrimSpace(name))
		if !c.valid() {
			return nil, fmt.Errorf("unknown convention %q (want one of %s)", name, joinNames(AllConventions()))
		}
		out = append(out, c)
	}
	return out, nil
}

// Scenario is the kind of exchange one agent turn (one trace) plays.
type Scenario string

const (
	// ScenarioQA is a plain question and answer, one model call.
	ScenarioQA Scenario = "qa"
	// ScenarioToolRound is a model call requesting a tool, the tool's
	// execution, and a second model call answering with its result.
	ScenarioToolRound Scenario = "tool_round"
	// ScenarioDangerousTool is a tool round whose tool call is destructive
	// (rm -rf, DROP TABLE).
	ScenarioDangerousTool Scenario = "dangerous_tool"
	// ScenarioPromptInjection is a plain exchange whose prompt tries to
	// override the system prompt.
	ScenarioPromptInjection Scenario = "prompt_injection"
	// ScenarioPII is a plain exchange whose prompt carries an e-mail address,
	// a card number and an SSN.
	ScenarioPII Scenario = "pii"
	// ScenarioStreaming is a streamed answer: the LLM span has no usage.
	ScenarioStreaming Scenario = "streaming"
)

// AllScenarios lists every scenario.
func AllScenarios() []Scenario {
	return []Scenario{ScenarioQA, ScenarioToolRound, ScenarioDangerousTool, ScenarioPromptInjection, ScenarioPII, ScenarioStreaming}
}

func (s Scenario) valid() bool {
	for _, k := range AllScenarios() {
		if s == k {
			return true
		}
	}
	return false
}

// ParseScenarios reads a comma-separated list of scenarios; "" or "all"
// selects all of them.
func ParseScenarios(s string) ([]Scenario, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "all" {
		return AllScenarios(), nil
	}
	var out []Scenario
	for _, name := range strings.Split(s, ",") {
		sc := Scenario(strings.TrimSpace(name))
		if !sc.valid() {
			return nil, fmt.Errorf("unknown scenario %q (want one of %s)", name, joinNames(AllScenarios()))
		}
		out = append(out, sc)
	}
	return out, nil
}

func joinNames[T ~string](names []T) string {
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = string(n)
	}
	return strings.Join(parts, ", ")
}

// Config drives a simulation.
type Config struct {
	// Endpoint is the OTLP/HTTP base URL, e.g. http://127.0.0.1:4318; traces
	// go to its /v1/traces unless the URL already has a path. Run only.
	Endpoint string
	// Headers are sent with every export request (e.g. an auth header). Run only.
	Headers map[string]string
	// Agents is the number of simulated agents, each its own service.name.
	Agents int
	// Conventions are assigned to agents round-robin; empty means all.
	Conventions []Convention
	// Scenarios restricts the mix of turns; empty means all.
	Scenarios []Scenario
	// Environment, when set, becomes deployment.environment.name on every
	// agent's resource.
	Environment string
	// Rate is the number of traces per second each agent sends; 0 sends as
	// fast as the exporter accepts. Run only.
	Rate float64
	// Duration stops the run after this long; 0 means no time limit. Run only.
	Duration time.Duration
	// Traces is the number of traces (agent turns) each agent sends; 0 means
	// no count limit. At least one of Traces and Duration must be set.
	Traces int
	// Seed makes the scenario mix and every content choice reproducible.
	Seed int64
	// ExportRetry, when positive, is how long an agent keeps retrying a
	// failed export, connection failures included (a collector restarting);
	// zero keeps the OTLP exporter's defaults, which give up on a refused
	// connection at once. Run only.
	ExportRetry time.Duration
}

// Validate reports the first setting that cannot work for Run.
func (c *Config) Validate() error {
	if err := c.validateContent(); err != nil {
		return err
	}
	if c.Rate < 0 {
		return errors.New("rate must not be negative")
	}
	if c.Duration < 0 {
		return errors.New("duration must not be negative")
	}
	if c.ExportRetry < 0 {
		return errors.New("export retry must not be negative")
	}
	if c.Traces == 0 && c.Duration == 0 {
		return errors.New("set traces or duration, or the run never ends")
	}
	_, err := tracesURL(c.Endpoint)
	return err
}

// validateContent checks what Generate needs as well as Run.
func (c *Config) validateContent() error {
	if c.Agents < 1 {
		return errors.New("agents must be at least 1")
	}
	if c.Traces < 0 {
		return errors.New("traces must not be negative")
	}
	for _, k := range c.Conventions {
		if !k.valid() {
			return fmt.Errorf("unknown convention %q", k)
		}
	}
	for _, s := range c.Scenarios {
		if !s.valid() {
			return fmt.Errorf("unknown scenario %q", s)
		}
	}
	return nil
}

func (c *Config) conventions() []Convention {
	if len(c.Conventions) == 0 {
		return AllConventions()
	}
	return c.Conventions
}

func (c *Config) scenarios() []Scenario {
	if len(c.Scenarios) == 0 {
		return AllScenarios()
	}
	return c.Scenarios
}

// tracesURL turns the configured endpoint into the URL the exporter posts to.
func tracesURL(endpoint string) (string, error) {
	u, err := url.Parse(endpoint)
	if err != nil {
		return "", fmt.Errorf("endpoint: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", fmt.Errorf("endpoint %q: scheme must be http or https", endpoint)
	}
	if u.Host == "" {
		return "", fmt.Errorf("endpoint %q: missing host", endpoint)
	}
	if u.Path == "" || u.Path == "/" {
		u.Path = "/v1/traces"
	}
	return u.String(), nil
}

// carriesSession reports whether the convention records a session id.
func (c Convention) carriesSession() bool { return c != OTelGenAIEvents }
