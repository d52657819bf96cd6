package localserver

import (
	"encoding/json"
	"math"
	"regexp"
	"strings"

	"github.com/precogxai/precogx-otel/internal/precogxapi"
)

// The documented action thresholds: ALLOW < 0.40 <= REVIEW < 0.90 <= BLOCK.
const (
	reviewThreshold = 0.40
	blockThreshold  = 0.90
)

// Flags of the built-in detectors.
const (
	FlagPromptInjection   = "prompt_injection"
	FlagPIIEmail          = "pii_email"
	FlagPIICreditCard     = "pii_credit_card"
	FlagPIISSN            = "pii_ssn"
	FlagSecretAWSKey      = "secret_aws_key"
	FlagSecretPrivateKey  = "secret_private_key"
	FlagSecretAPIKey      = "secret_api_key"
	FlagDangerousToolCall = "dangerous_tool_call"
)

// texts are the parts of an interaction the detectors read.
type texts struct {
	prompt, response, chainOfThought, systemPrompt string
	toolParams                                     []string // every string value inside parameters
	toolResults                                    []string
}

func textsOf(ix *precogxapi.Interaction) texts {
	t := texts{
		prompt:         ix.Prompt,
		response:       ix.Response,
		chainOfThought: ix.ChainOfThought,
		systemPrompt:   ix.Metadata.SystemPrompt,
	}
	for _, tc := range ix.ToolCalls {
		var params any
		if json.Unmarshal(tc.Parameters, &params) == nil {
			t.toolParams = appendStrings(t.toolParams, params)
		}
		t.toolResults = append(t.toolResults, tc.Result)
	}
	return t
}

// appendStrings collects the string values (and object keys) of a decoded
// JSON value.
func appendStrings(dst []string, v any) []string {
	switch v := v.(type) {
	case string:
		return append(dst, v)
	case []any:
		for _, e := range v {
			dst = appendStrings(dst, e)
		}
	case map[string]any:
		for k, e := range v {
			dst = appendStrings(append(dst, k), e)
		}
	}
	return dst
}

// inputs is what a user or a tool fed the agent: where injections arrive.
func (t texts) inputs() []string {
	return append([]string{t.prompt}, t.toolResults...)
}

// exchanged is everything that went in or out of the agent: where PII leaks.
func (t texts) exchanged() []string {
	out := []string{t.prompt, t.response, t.chainOfThought}
	out = append(out, t.toolParams...)
	return append(out, t.toolResults...)
}

// everything adds the system prompt, where secrets are pasted too.
func (t texts) everything() []string {
	return append(t.exchanged(), t.systemPrompt)
}

// detector is one built-in check. A detector that fires adds its flag and
// its score; scores combine as independent evidence: 1 - prod(1 - score).
type detector struct {
	flag  string
	score float64
	parts func(texts) []string // where it looks
	// maybe is a cheap test that is false only when match must be false:
	// the regular expressions are the costly part of a benchmark backend.
	maybe func(string) bool
	match func(string) bool
}

func (d detector) fires(t texts) bool {
	for _, p := range d.parts(t) {
		if p != "" && d.maybe(p) && d.match(p) {
			return true
		}
	}
	return false
}

// detectors run in this order, which is the order of the flags.
var detectors = []detector{
	{
		flag: FlagPromptInjection, score: 0.95, parts: texts.inputs,
		maybe: containsFold("ignore", "disregard", "forget", "now", "prompt", "instruction", "override"),
		match: promptInjection.MatchString,
	},
	{
		flag: FlagPIIEmail, score: 0.45, parts: texts.exchanged,
		maybe: contains("@"), match: email.MatchString,
	},
	{
		flag: FlagPIICreditCard, score: 0.70, parts: texts.exchanged,
		maybe: hasDigits(13), match: hasCardNumber,
	},
	{
		flag: FlagPIISSN, score: 0.70, parts: texts.exchanged,
		maybe: contains("-"), match: hasSSN,
	},
	{
		flag: FlagSecretAWSKey, score: 0.90, parts: texts.everything,
		maybe: contains("AKIA", "ASIA"), match: awsAccessKeyID.MatchString,
	},
	{
		flag: FlagSecretPrivateKey, score: 0.95, parts: texts.everything,
		maybe: contains("PRIVATE KEY-----"), match: privateKeyHeader.MatchString,
	},
	{
		flag: FlagSecretAPIKey, score: 0.80, parts: texts.everything,
		maybe: contains("sk-", "gh", "xox", "AIza", "px_live_"), match: apiKey.MatchString,
	},
	{
		flag: FlagDangerousToolCall, score: 0.92, parts: func(t texts) []string { return t.toolParams },
		maybe: containsFold("rm", "drop", "truncate", "curl", "wget", "chmod", "/etc/", "mkfs", "dd", ":("),
		match: dangerousCommand.MatchString,
	},
}

func contains(subs ...string) func(string) bool {
	return func(s string) bool {
		for _, sub := range subs {
			if strings.Contains(s, sub) {
				return true
			}
		}
		return false
	}
}

// containsFold is contains for lower-case subs, ignoring the case of s.
func containsFold(subs ...string) func(string) bool {
	lower := contains(subs...)
	return func(s string) bool { return lower(strings.ToLower(s)) }
}

func hasDigits(n int) func(string) bool {
	return func(s string) bool {
		count := 0
		for i := range len(s) {
			if s[i] >= '0' && s[i] <= '9' {
				if count++; count >= n {
					return true
				}
			}
		}
		return false
	}
}

var (
	promptInjection = regexp.MustCompile(`(?i)` + strings.Join([]string{
		`\bignore\s+(?:all\s+|any\s+)?(?:the\s+|your\s+)?(?:previous|prior|above|earlier|preceding)\s+(?:instructions|prompts?|rules|directions|messages)`,
		`\bdisregard\s+(?:all\s+|any\s+)?(?:the\s+|your\s+)?(?:previous|prior|above|earlier|preceding)\b`,
		`\bforget\s+(?:all\s+|everything\s+)?(?:your|the|previous|prior)\s+(?:previous\s+|prior\s+)?(?:instructions|rules|guidelines)`,
		`\byou\s+are\s+now\s+(?:dan\b|in\s+developer\s+mode)`,
		`\bdo\s+anything\s+now\b`,
		`\b(?:reveal|print|show|repeat|output|leak)\s+(?:me\s+)?(?:your|the)\s+(?:system|hidden|initial|original)\s+(?:prompt|instructions)`,
		`\boverride\s+(?:your|the|all)\s+(?:safety|system|security)\s+(?:rules|instructions|guidelines|settings)`,
	}, "|"))
	email = regexp.MustCompile(`[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}`)
	// Card numbers as written: contiguous, in groups of four (Visa,
	// Mastercard, Discover...) or 4-6-5 (Amex), one separator throughout.
	cardCandidate    = regexp.MustCompile(`\b(?:\d{13,19}|\d{4} \d{4} \d{4} \d{1,7}|\d{4}-\d{4}-\d{4}-\d{1,7}|\d{4} \d{6} \d{5}|\d{4}-\d{6}-\d{5})\b`)
	ssn              = regexp.MustCompile(`\b(\d{3})-(\d{2})-(\d{4})\b`)
	awsAccessKeyID   = regexp.MustCompile(`\b(?:AKIA|ASIA)[0-9A-Z]{16}\b`)
	privateKeyHeader = regexp.MustCompile(`-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----`)
	apiKey           = regexp.MustCompile(strings.Join([]string{
		`\bsk-[A-Za-z0-9_-]{20,}`,        // OpenAI, Anthropic (sk-ant-...), Stripe-style secrets
		`\bgh[pousr]_[A-Za-z0-9]{36}`,    // GitHub tokens
		`\bxox[abprs]-[A-Za-z0-9-]{10,}`, // Slack tokens
		`\bAIza[0-9A-Za-z_-]{35}`,        // Google API keys
		`\bpx_live_[A-Za-z0-9_]{8,}`,     // PrecogX's own keys
	}, "|"))
	dangerousCommand = regexp.MustCompile(`(?i)` + strings.Join([]string{
		`\brm\s+(?:-{1,2}[a-z-]+\s+)*-[a-z]*(?:r[a-z]*f|f[a-z]*r)`,
		`\brm\s+(?:-{1,2}[a-z-]+\s+)*--no-preserve-root`,
		`\bdrop\s+(?:table|database|schema)\b`,
		`\btruncate\s+table\b`,
		`\b(?:curl|wget)\b[^|;\n]*\|\s*(?:sudo\s+)?(?:ba|z|k|da)?sh\b`,
		`\bchmod\s+(?:-r\s+)?0?777\b`,
		`/etc/(?:passwd|shadow|sudoers)\b`,
		`\bmkfs(?:\.[a-z0-9]+)?\b`,
		`\bdd\s+if=\S+\s+of=/dev/(?:sd|hd|nvme|xvd)`,
		`:\(\)\s*\{\s*:\|:&\s*\};:`,
	}, "|"))
)

// hasCardNumber finds 13 to 19 digits, optionally grouped by spaces or
// dashes, that pass the Luhn check.
func hasCardNumber(s string) bool {
	for _, m := range cardCandidate.FindAllString(s, -1) {
		if luhnValid(strings.NewReplacer(" ", "", "-", "").Replace(m)) {
			return true
		}
	}
	return false
}

func luhnValid(digits string) bool {
	if len(digits) < 13 || len(digits) > 19 {
		return false
	}
	sum := 0
	for i := range len(digits) {
		d := int(digits[len(digits)-1-i] - '0')
		if i%2 == 1 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}

// hasSSN finds AAA-GG-SSSS numbers the SSA could have issued: never area
// 000, 666 or 9xx, group 00 or serial 0000.
func hasSSN(s string) bool {
	for _, m := range ssn.FindAllStringSubmatch(s, -1) {
		area, group, serial := m[1], m[2], m[3]
		if area != "000" && area != "666" && area[0] != '9' && group != "00" && serial != "0000" {
			return true
		}
	}
	return false
}

// assess runs the detectors over ix and returns its verdict fields.
func assess(ix *precogxapi.Interaction) (action string, risk float64, flags []string) {
	t := textsOf(ix)
	clean := 1.0
	for _, d := range detectors {
		if d.fires(t) {
			flags = append(flags, d.flag)
			clean *= 1 - d.score
		}
	}
	risk = math.Round((1-clean)*1000) / 1000
	return actionFor(risk), risk, flags
}

// actionFor applies the documented thresholds.
func actionFor(risk float64) string {
	switch {
	case risk >= blockThreshold:
		return precogxapi.ActionBlock
	case risk >= reviewThreshold:
		return precogxapi.ActionReview
	default:
		return precogxapi.ActionAllow
	}
}
