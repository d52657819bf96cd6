package agentsim // import "github.com/precogxai/precogx-otel/internal/agentsim"

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"
)

// turn is one agent exchange (one trace), independent of the convention that
// will encode it.
type turn struct {
	seq       int
	scenario  Scenario
	sessionID string
	userID    string
	history   []exchange // earlier exchanges of the session, oldest first
	prompt    string     // the user's new message
	steps     []step     // one model call per step
	stream    bool
}

// step is one model round trip.
type step struct {
	calls      []toolCall // tools the model requested in this step's output
	text       string     // the model's text in this step's output
	inTokens   int
	outTokens  int
	responseID string
	latency    time.Duration
}

// toolCall is one tool request of the model and its execution.
type toolCall struct {
	toolSpec
	id      string
	name    string // as the agent's framework names it
	latency time.Duration
}

func (t *turn) answer() string { return t.steps[len(t.steps)-1].text }

// calls returns every tool call of the turn, in request order.
func (t *turn) calls() []toolCall {
	var out []toolCall
	for _, s := range t.steps {
		out = append(out, s.calls...)
	}
	return out
}

// usage returns the tokens of all steps, as agent and root spans report them.
func (t *turn) usage() (in, out int) {
	for _, s := range t.steps {
		in += s.inTokens
		out += s.outTokens
	}
	return in, out
}

// scenarioWeights sets how often each scenario recurs once every one has
// been played.
var scenarioWeights = map[Scenario]int{
	ScenarioQA: 3, ScenarioToolRound: 3, ScenarioDangerousTool: 1,
	ScenarioPromptInjection: 1, ScenarioPII: 1, ScenarioStreaming: 2,
}

// turnSource produces an agent's turns. It owns the agent's random source, so
// one agent's turns depend only on the seed and the agent's index.
type turnSource struct {
	agent     Agent
	rng       *rand.Rand
	scenarios []Scenario
	first     []Scenario // a shuffled pass over scenarios, so each appears early
	seq       int

	sessionID, userID string
	sessionLeft       int
	history           []exchange
}

func newTurnSource(a Agent, seed int64, scenarios []Scenario) *turnSource {
	rng := rand.New(rand.NewPCG(uint64(seed), uint64(a.Index)+1)) //nolint:gosec // simulation, not security
	first := append([]Scenario(nil), scenarios...)
	rng.Shuffle(len(first), func(i, j int) { first[i], first[j] = first[j], first[i] })
	return &turnSource{agent: a, rng: rng, scenarios: scenarios, first: first}
}

func (s *turnSource) next() *turn {
	if s.sessionLeft == 0 {
		s.sessionID = "sess-" + s.randString(12, hexDigits)
		s.userID = fmt.Sprintf("user-%04d", s.rng.IntN(10000))
		s.sessionLeft = 1 + s.rng.IntN(4)
		s.history = nil
	}
	s.sessionLeft--

	t := &turn{seq: s.seq, scenario: s.pickScenario(), sessionID: s.sessionID, userID: s.userID}
	s.seq++
	t.history = slices.Clone(s.history[max(0, len(s.history)-2):])

	switch t.scenario {
	case ScenarioToolRound:
		s.toolRound(t, toolPool[s.pick(len(toolPool), func(i int) string { return toolPool[i].prompt })])
	case ScenarioDangerousTool:
		s.toolRound(t, dangerousPool[s.pick(len(dangerousPool), func(i int) string { return dangerousPool[i].prompt })])
	case ScenarioPromptInjection:
		s.plain(t, s.pickExchange(injectionPool))
	case ScenarioPII:
		s.plain(t, s.pickExchange(piiPool))
	case ScenarioStreaming:
		s.plain(t, s.pickExchange(qaPool))
		t.stream = true
	default:
		s.plain(t, s.pickExchange(qaPool))
	}
	s.history = append(s.history, exchange{t.prompt, t.answer()})
	return t
}

// pick draws an index in [0, n) whose prompt is not in the history the turn
// will carry (when the pool allows), so that an extractor taking the wrong
// user message fails visibly.
func (s *turnSource) pick(n int, prompt func(int) string) int {
	first := s.rng.IntN(n)
	recent := s.history[max(0, len(s.history)-2):]
	for k := range n {
		i := (first + k) % n
		if !slices.ContainsFunc(recent, func(e exchange) bool { return e.prompt == prompt(i) }) {
			return i
		}
	}
	return first
}

func (s *turnSource) pickExchange(pool []exchange) exchange {
	return pool[s.pick(len(pool), func(i int) string { return pool[i].prompt })]
}

func (s *turnSource) pickScenario() Scenario {
	if s.seq < len(s.first) {
		return s.first[s.seq]
	}
	total := 0
	for _, sc := range s.scenarios {
		total += scenarioWeights[sc]
	}
	n := s.rng.IntN(total)
	for _, sc := range s.scenarios {
		if n -= scenarioWeights[sc]; n < 0 {
			return sc
		}
	}
	return s.scenarios[len(s.scenarios)-1]
}

func (s *turnSource) plain(t *turn, e exchange) {
	t.prompt = e.prompt
	t.steps = []step{s.step(t, "", e.answer, nil)}
}

func (s *turnSource) toolRound(t *turn, spec toolSpec) {
	t.prompt = spec.prompt
	call := toolCall{
		toolSpec: spec,
		id:       s.agent.Provider.callIDPrefix + s.randString(24, alnumDigits),
		name:     s.agent.toolName(spec.name),
		latency:  s.between(15*time.Millisecond, 300*time.Millisecond),
	}
	ask := s.step(t, "", "", []toolCall{call})
	answer := s.step(t, spec.args+spec.result, spec.answer, nil)
	t.steps = []step{ask, answer}
}

// step makes a model call; extraInput is what earlier steps added to the
// conversation, for a plausible token count.
func (s *turnSource) step(t *turn, extraInput, text string, calls []toolCall) step {
	in := len(s.agent.System) + len(t.prompt) + len(extraInput)
	for _, h := range t.history {
		in += len(h.prompt) + len(h.answer)
	}
	out := len(text)
	for _, c := range calls {
		out += len(c.name) + len(c.args)
	}
	return step{
		calls:      calls,
		text:       text,
		inTokens:   8 + in/4,
		outTokens:  1 + out/4,
		responseID: s.agent.Provider.responseIDPrefix + s.randString(24, alnumDigits),
		latency:    s.between(350*time.Millisecond, 1600*time.Millisecond),
	}
}

func (s *turnSource) between(lo, hi time.Duration) time.Duration {
	return lo + time.Duration(s.rng.Int64N(int64(hi-lo)))
}

const (
	hexDigits   = "0123456789abcdef"
	alnumDigits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
)

func (s *turnSource) randString(n int, digits string) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = digits[s.rng.IntN(len(digits))]
	}
	return string(b)
}
