package main

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/precogxai/precogx-otel/internal/agentsim"
	"github.com/precogxai/precogx-otel/internal/localserver"
	"github.com/precogxai/precogx-otel/internal/testbed"
)

// printTable writes one row per agent: what it sent, what PrecogX received
// with its verdicts, and what the collector dropped for the plan limit (read
// from the collector's own metrics), then the totals.
func printTable(out io.Writer, report agentsim.Report, expected map[string]int, server *localserver.Server, m testbed.Metrics) {
	var stats localserver.Stats
	if server != nil {
		stats = server.Stats()
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "agent\tconvention\ttraces\tspans sent\tinteractions\treceived\tALLOW\tREVIEW\tBLOCK\tdropped: plan limit\t")
	var sumSpans, sumExpected, sumReceived, sumLimit int64
	for _, a := range report.Agents {
		received, allow, review, block := "-", "-", "-", "-"
		if server != nil {
			s := stats.Agents[a.AgentID]
			received = fmt.Sprint(s.Accepted)
			allow, review, block = fmt.Sprint(s.Verdicts["ALLOW"]), fmt.Sprint(s.Verdicts["REVIEW"]), fmt.Sprint(s.Verdicts["BLOCK"])
			sumReceived += s.Accepted
		}
		limited := int64(m.Sum("otelcol_exporter_precogx_agent_limit_dropped", fmt.Sprintf("agent_id=%q", a.AgentID)))
		sumSpans += int64(a.Spans)
		sumExpected += int64(expected[a.AgentID])
		sumLimit += limited
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%s\t%s\t%s\t%s\t%d\t\n",
			a.AgentID, a.Convention, a.Traces, a.Spans, expected[a.AgentID], received, allow, review, block, limited)
	}
	fmt.Fprintf(tw, "total\t\t\t%d\t%d\t%d\t\t\t\t%d\t\n", sumSpans, sumExpected, sumReceived, sumLimit)
	_ = tw.Flush()

	fmt.Fprintf(out, "\nCollector metrics: %.0f interactions sent, %.0f dropped for the plan limit, %.0f non-LLM spans filtered by the processor.\n",
		m.Sum("otelcol_exporter_precogx_interactions_sent"),
		m.Sum("otelcol_exporter_precogx_interactions_dropped", `reason="agent_limit"`),
		m.Sum("otelcol_processor_precogx_spans_dropped", `reason="not_llm"`))
	if server == nil {
		fmt.Fprintf(out, "Verdicts from the API: %.0f ALLOW, %.0f REVIEW, %.0f BLOCK.\n",
			m.Sum("otelcol_exporter_precogx_verdicts", `action="ALLOW"`),
			m.Sum("otelcol_exporter_precogx_verdicts", `action="REVIEW"`),
			m.Sum("otelcol_exporter_precogx_verdicts", `action="BLOCK"`))
	}
}
