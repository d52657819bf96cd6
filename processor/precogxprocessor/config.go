package precogxprocessor // import "github.com/precogxai/precogx-otel/processor/precogxprocessor"

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"go.opentelemetry.io/collector/component"
)

// SpanSelection says which spans the processor keeps.
type SpanSelection string

const (
	// SpansLLM keeps LLM calls, tool executions and agent invocations.
	SpansLLM SpanSelection = "llm"
	// SpansAll keeps every span that has an agent id.
	SpansAll SpanSelection = "all"
)

// Validate implements confmap.Validator.
func (s SpanSelection) Validate() error {
	switch s {
	case SpansLLM, SpansAll:
		return nil
	}
	return fmt.Errorf("%q is not a span selection: use %q (LLM calls, tool executions, agent invocations) or %q (every span)",
		string(s), SpansLLM, SpansAll)
}

// RandomIDPolicy says what happens to items whose agent id looks random per run.
type RandomIDPolicy string

const (
	// RandomIDsWarn keeps such items and logs each such agent id once.
	RandomIDsWarn RandomIDPolicy = "warn"
	// RandomIDsDrop drops such items.
	RandomIDsDrop RandomIDPolicy = "drop"
)

// Validate implements confmap.Validator.
func (p RandomIDPolicy) Validate() error {
	switch p {
	case RandomIDsWarn, RandomIDsDrop:
		return nil
	}
	return fmt.Errorf("%q is not a policy: use %q (keep the item, log the agent id once) or %q",
		string(p), RandomIDsWarn, RandomIDsDrop)
}

// AgentIDConfig says where the agent id of a span or log record comes from.
type AgentIDConfig struct {
	// From lists attribute keys in order of preference. Each key is looked up
	// on the item's attributes, then on its resource's attributes; the first
	// non-empty string wins.
	From []string `mapstructure:"from"`
	// Rename maps a found value to the agent id to use instead.
	Rename map[string]string `mapstructure:"rename"`
	// Default is the agent id of items where no key matched. Empty drops them.
	Default string `mapstructure:"default"`
	// Allow, when not empty, lists the only agent ids (after Rename) let through.
	Allow []string `mapstructure:"allow"`
	// RandomIDs says what to do with agent ids that look random per run.
	RandomIDs RandomIDPolicy `mapstructure:"random_ids"`

	// prevent unkeyed literal initialization
	_ struct{}
}

// Config configures the precogx processor.
type Config struct {
	AgentID AgentIDConfig `mapstructure:"agent_id"`
	// Spans selects the spans kept; log records are always limited to GenAI events.
	Spans SpanSelection `mapstructure:"spans"`

	// prevent unkeyed literal initialization
	_ struct{}
}

var _ component.Config = (*Config)(nil)

// Validate implements confmap.Validator. Spans and RandomIDs validate themselves.
func (c *AgentIDConfig) Validate() error {
	var errs []error
	if len(c.From) == 0 {
		errs = append(errs, errors.New(`"from" must list at least one attribute key, e.g. [service.name]`))
	}
	seen := make(map[string]struct{}, len(c.From))
	for _, key := range c.From {
		if strings.TrimSpace(key) == "" {
			errs = append(errs, errors.New(`"from" lists an empty key: remove it or name an attribute`))
			continue
		}
		if _, dup := seen[key]; dup {
			errs = append(errs, fmt.Errorf(`"from" lists %q twice: remove the duplicate`, key))
		}
		seen[key] = struct{}{}
	}
	for _, found := range slices.Sorted(maps.Keys(c.Rename)) {
		target := c.Rename[found]
		if err := checkAgentID(target); err != nil {
			errs = append(errs, fmt.Errorf(`"rename" maps %q to %q, which %w`, found, target, err))
		}
		if err := checkAgentID(found); err != nil {
			errs = append(errs, fmt.Errorf(`"rename" has a key %q, which %w`, found, err))
		}
	}
	if c.Default != "" {
		if err := checkAgentID(c.Default); err != nil {
			errs = append(errs, fmt.Errorf(`"default" %q %w; leave it unset to drop items without an agent id`, c.Default, err))
		}
	}
	for _, id := range c.Allow {
		if err := checkAgentID(id); err != nil {
			errs = append(errs, fmt.Errorf(`"allow" lists %q, which %w`, id, err))
		}
	}
	if c.Default != "" && len(c.Allow) > 0 && !slices.Contains(c.Allow, c.Default) {
		errs = append(errs, fmt.Errorf(`"default" %q is not in "allow", so items without an agent id could never pass: add it to "allow" or change "default"`, c.Default))
	}
	return errors.Join(errs...)
}

// checkAgentID rejects ids that no found value can ever equal: found values
// are trimmed and never empty.
func checkAgentID(id string) error {
	switch trimmed := strings.TrimSpace(id); {
	case trimmed == "":
		return errors.New("is empty")
	case trimmed != id:
		return errors.New("has leading or trailing spaces (agent ids are trimmed)")
	}
	return nil
}
