package chaos // import "github.com/precogxai/precogx-otel/internal/chaos"

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/precogxai/precogx-otel/internal/agentsim"
)

// spanReasons are the exporter's drop reasons that count spans which made
// no interaction, not interactions.
var spanReasons = map[string]bool{"not_llm": true, "no_content": true, "no_agent_id": true}

// Lost is the number of expected interactions never delivered and not
// counted as dropped on purpose by the exporter.
func (r Result) Lost() int {
	dropped := 0.0
	for reason, n := range r.ExporterDropped {
		if !spanReasons[reason] {
			dropped += n
		}
	}
	return max(0, len(r.Tally.Lost)-int(dropped))
}

// DuplicateRate is the share of duplicates among the expected interactions.
func (r Result) DuplicateRate() float64 {
	if r.Tally.Expected == 0 {
		return 0
	}
	return float64(r.Tally.Duplicates) / float64(r.Tally.Expected)
}

// WriteTable prints the run's one table: what the agents sent, what the
// collector accepted, what PrecogX received, what was lost, duplicated or
// dropped on purpose, and the peaks.
func (r Result) WriteTable(out io.Writer) {
	traces, spans, failed := 0, 0, 0
	convs := []string{}
	for _, a := range r.Agents {
		traces += a.Traces
		spans += a.Spans
		failed += a.FailedSpans
	}
	for _, c := range agentsim.AllConventions() {
		if n := r.Tally.ByConvention[c]; n > 0 {
			convs = append(convs, fmt.Sprintf("%s %s", c, count(n)))
		}
	}

	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	row := func(what string, n any, note string) { fmt.Fprintf(tw, "%s\t%v\t%s\n", what, n, note) }
	fmt.Fprintln(tw, "what\tcount\tnote")
	fmt.Fprintln(tw, "----\t-----\t----")
	row("sent by the agents: traces", count(traces), fmt.Sprintf("%d agents", len(r.Agents)))
	row("sent by the agents: spans acknowledged", count(spans), fmt.Sprintf("%s spans failed at the agents after retrying", count(failed)))
	row("accepted by the collector's receiver: spans", count(int(r.ReceiverAccepted)),
		fmt.Sprintf("otelcol_receiver_accepted_spans over %d collector processes; %s refused (agents retried)", r.Lives, count(int(r.ReceiverRefused))))
	row("expected interactions", count(r.Tally.Expected), strings.Join(convs, ", "))
	row("delivered", count(r.Tally.Delivered), "distinct interaction_id received by PrecogX")
	row("lost", count(r.Lost()), "expected, never delivered, not dropped on purpose")
	row("duplicated", count(r.Tally.Duplicates), fmt.Sprintf("%.2f%% of expected; the server counted %s by interaction_id%s",
		100*r.DuplicateRate(), count(int(r.ServerDuplicates)), byStepText(r.DuplicatesByStep())))
	row("unexpected", count(len(r.Tally.Unexpected)), unexpectedText(r.Tally.Unexpected))
	for _, reason := range slices.Sorted(maps.Keys(r.ProcessorDropped)) {
		row("dropped on purpose: processor "+reason, count(int(r.ProcessorDropped[reason])), "spans (otelcol_processor_precogx_spans_dropped)")
	}
	for _, reason := range slices.Sorted(maps.Keys(r.ExporterDropped)) {
		unit := "interactions"
		if spanReasons[reason] {
			unit = "spans that made no interaction"
		}
		row("dropped on purpose: exporter "+reason, count(int(r.ExporterDropped[reason])), unit+" (otelcol_exporter_precogx_interactions_dropped)")
	}
	row("given up by the exporter", count(int(r.SendFailed)), "spans (otelcol_exporter_send_failed_spans)")
	row("refused by a full queue", count(int(r.EnqueueFailed)), "spans (otelcol_exporter_enqueue_failed_spans; agents retried)")
	row("peak queue size", bytesText(r.PeakQueueSize), "otelcol_exporter_queue_size (bytes sizer, on disk)")
	row("peak RSS", bytesText(float64(r.PeakRSS)), fmt.Sprintf("highest VmHWM of the %d collector processes", r.Lives))
	row("PrecogX answers", statusText(r.RequestsByStatus), "requests by status")
	_ = tw.Flush()
}

// WriteHeader prints what was run: the date, the schedule and the kills.
func (r Result) WriteHeader(out io.Writer) {
	kills := "once"
	if r.Kills != 1 {
		kills = fmt.Sprintf("%d times", r.Kills)
	}
	fmt.Fprintf(out, "Run of %s: agents sent for %s, delivery finished %s later; the collector was killed with SIGKILL %s.\n",
		r.Started.UTC().Format("2006-01-02 15:04 MST"), r.Sending.Round(time.Second), r.Drain.Round(time.Second), kills)
	if r.Soak > 0 {
		fmt.Fprintf(out, "Soak: %s at a steady rate, no faults.\n", r.Soak)
	} else {
		names := make([]string, len(r.Schedule))
		for i, s := range r.Schedule {
			names[i] = fmt.Sprintf("%s (%s)", s.Name, s.Length)
		}
		fmt.Fprintf(out, "Schedule: %s.\n", strings.Join(names, "; "))
	}
	if r.AgentError != nil {
		fmt.Fprintf(out, "Agents: %v\n", r.AgentError)
	}
}

// DuplicatesByStep counts the duplicates by the step during which their
// first copy arrived, where the fault that caused the resend acted.
func (r Result) DuplicatesByStep() map[string]int {
	out := map[string]int{}
	for _, at := range r.Tally.DuplicateTimes {
		name := "before the first step"
		for _, m := range r.Timeline {
			if !at.Before(m.At) {
				name = m.Name
			}
		}
		out[name]++
	}
	return out
}

func byStepText(m map[string]int) string {
	if len(m) == 0 {
		return ""
	}
	parts := []string{}
	for _, name := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%s during %s", count(m[name]), name))
	}
	return "; first copies delivered: " + strings.Join(parts, ", ")
}

// unexpectedText explains the unexpected interactions: how many are
// wrapper spans of an expected exchange (an agent span whose LLM child
// reached the exporter in another batch, so the two could not be folded),
// and names the first few.
func unexpectedText(ds []Delivery) string {
	if len(ds) == 0 {
		return "delivered, but no agent's trace should have made them"
	}
	const shown = 3
	sameTrace := 0
	for _, d := range ds {
		if d.OfExpectedTrace {
			sameTrace++
		}
	}
	note := fmt.Sprintf("%d from the trace of an expected interaction (its LLM child in another batch, not folded)", sameTrace)
	for i, d := range ds {
		if i == shown {
			note += fmt.Sprintf(", and %d more", len(ds)-shown)
			break
		}
		note += fmt.Sprintf("; %s span %q of %s", d.Kind, d.SpanName, d.AgentID)
	}
	return note
}

func statusText(m map[string]int64) string {
	parts := []string{}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%s: %s", k, count(int(m[k]))))
	}
	return strings.Join(parts, ", ")
}

// count writes n with thousands separators.
func count(n int) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		return "-" + s
	}
	return s
}

// bytesText writes a byte count in binary units; "-" for a negative value
// (not read).
func bytesText(b float64) string {
	switch {
	case b < 0:
		return "-"
	case b < 1<<10:
		return fmt.Sprintf("%.0f B", b)
	case b < 1<<20:
		return fmt.Sprintf("%.1f KiB", b/(1<<10))
	case b < 1<<30:
		return fmt.Sprintf("%.1f MiB", b/(1<<20))
	default:
		return fmt.Sprintf("%.2f GiB", b/(1<<30))
	}
}

func signedBytes(b float64) string {
	if b < 0 {
		return "-" + bytesText(-b)
	}
	return "+" + bytesText(b)
}
