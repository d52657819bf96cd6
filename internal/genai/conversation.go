package genai // import "github.com/precogxai/precogx-otel/internal/genai"

// conversation is the normalised content of one LLM or agent call.
type conversation struct {
	input  []message
	output []message
	system string // explicit system instructions (gen_ai.system_instructions, ...)
}

// prompt is the new user input of the call: the trailing user message that
// carries text. Earlier turns are history.
func (c *conversation) prompt() string {
	for i := len(c.input) - 1; i >= 0; i-- {
		if m := &c.input[i]; m.role == roleUser && m.text.n > 0 {
			return joinTexts(&m.text)
		}
	}
	return ""
}

// systemPrompt is the explicit instructions, else the system messages of the input.
func (c *conversation) systemPrompt() string {
	if c.system != "" {
		return c.system
	}
	var texts joiner
	for i := range c.input {
		if c.input[i].role == roleSystem {
			texts.addAll(&c.input[i].text)
		}
	}
	return texts.String()
}

// answer returns the messages that make the response: the output messages
// after the last user, system or tool message (framework outputs such as a
// LangGraph state repeat the whole history; model outputs hold only the
// assistant's choices).
func (c *conversation) answer() []message {
	start := 0
	for i, m := range c.output {
		if m.role == roleUser || m.role == roleSystem || m.role == roleTool {
			start = i + 1
		}
	}
	return c.output[start:]
}

// response joins the text of the answer.
func (c *conversation) response() string {
	var texts joiner
	for _, m := range c.answer() {
		texts.addAll(&m.text)
	}
	return texts.String()
}

// chainOfThought joins the reasoning of the answer.
func (c *conversation) chainOfThought() string {
	var texts joiner
	for _, m := range c.answer() {
		texts.addAll(&m.reasoning)
	}
	return texts.String()
}

// calls lists the tool calls the answer requested.
func (c *conversation) calls() []toolCall {
	var calls []toolCall
	for _, m := range c.answer() {
		for i := range m.calls.n {
			calls = append(calls, m.calls.at(i))
		}
	}
	return calls
}

// finishReasons appends the finish reasons of the answer to out.
func (c *conversation) finishReasons(out []string) []string {
	for _, m := range c.answer() {
		if m.finish != "" {
			out = append(out, m.finish)
		}
	}
	return out
}

// results lists the tool results fed back in the input.
func (c *conversation) results() []toolResult {
	var out []toolResult
	for _, m := range c.input {
		for i := range m.results.n {
			out = append(out, m.results.at(i))
		}
	}
	return out
}

func (c *conversation) hasInput() bool  { return hasContent(c.input) }
func (c *conversation) hasOutput() bool { return hasContent(c.output) }

func hasContent(msgs []message) bool {
	for i := range msgs {
		if msgs[i].hasContent() {
			return true
		}
	}
	return false
}
