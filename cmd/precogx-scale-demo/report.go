package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/precogxai/precogx-otel/internal/localserver"
	"github.com/precogxai/precogx-otel/internal/testbed"
)

// figures are what the run produced, read from each collector's own
// metrics and from the PrecogX stand-in.
type figures struct {
	gateways  []gatewayFigures
	agentTier testbed.Metrics
	stats     localserver.Stats
	// servedBy lists, per agent, the gateways whose requests to PrecogX
	// carried its interactions.
	servedBy map[string][]string
}

type gatewayFigures struct {
	name     string
	restarts int
	metrics  testbed.Metrics
	book     localserver.OriginStats
}

func gather(ctx context.Context, server *precogx, agentTier *collector, gateways []*gateway) figures {
	f := figures{stats: server.Stats(), servedBy: map[string][]string{}}
	f.agentTier, _ = testbed.ScrapeMetrics(ctx, agentTier.metricsURL)
	books := server.origins.Snapshot()
	for _, g := range gateways {
		f.gateways = append(f.gateways, gatewayFigures{name: g.name, restarts: g.restarts, metrics: g.metrics(ctx), book: books[g.name]})
		for agent := range books[g.name].Agents {
			f.servedBy[agent] = append(f.servedBy[agent], g.name)
		}
	}
	return f
}

func deliveredBy(b localserver.OriginStats) int64 {
	var n int64
	for _, a := range b.Agents {
		n += a.Delivered
	}
	return n
}

// printReport writes the per-gateway table, the per-agent table and the
// totals against what was sent.
func printReport(out io.Writer, s sent, f figures) {
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "gateway\trestarts\tspans in\tlog records in\tinteractions delivered\tdropped (reason)\tagents served")
	dropped := map[string]float64{}
	for _, g := range f.gateways {
		byReason := droppedByReason(g.metrics)
		for r, n := range byReason {
			dropped[r] += n
		}
		fmt.Fprintf(tw, "%s\t%d\t%.0f\t%.0f\t%d\t%s\t%s\n", g.name, g.restarts,
			g.metrics.Sum("otelcol_receiver_accepted_spans"), g.metrics.Sum("otelcol_receiver_accepted_log_records"),
			deliveredBy(g.book), formatReasons(byReason), strings.Join(slices.Sorted(maps.Keys(g.book.Agents)), ", "))
	}
	_ = tw.Flush()
	fmt.Fprintln(out)

	tw = tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "agent\tsent as\tgateway\tinteractions sent\tdelivered\tdropped: plan limit\tnot delivered\textra")
	var sumDue, sumDelivered, sumLimited, sumMissing, sumExtra int64
	for _, agent := range slices.Sorted(maps.Keys(s.due)) {
		due := int64(s.due[agent])
		// A restart can split a trace: an agent or tool span that reaches a
		// gateway apart from its model call becomes an interaction of its
		// own. Such extras are shown, never counted against what is missing.
		accepted := f.stats.Agents[agent].Accepted
		delivered, extra := min(accepted, due), max(accepted-due, 0)
		limited := int64(0)
		for _, g := range f.gateways {
			limited += int64(g.metrics.Sum("otelcol_exporter_precogx_agent_limit_dropped", fmt.Sprintf("agent_id=%q", agent)))
		}
		missing := max(due-delivered, 0)
		gw := strings.Join(f.servedBy[agent], "+")
		if gw == "" {
			gw = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\n", agent, s.source[agent], gw, due, delivered, limited, missing, extra)
		sumDue += due
		sumDelivered += delivered
		sumLimited += limited
		sumMissing += missing
		sumExtra += extra
	}
	fmt.Fprintf(tw, "total\t\t\t%d\t%d\t%d\t%d\t%d\n", sumDue, sumDelivered, sumLimited, sumMissing, sumExtra)
	_ = tw.Flush()

	var droppedAll float64
	for _, n := range dropped {
		droppedAll += n
	}
	lost := max(sumDue-sumDelivered-int64(droppedAll), 0)
	fmt.Fprintf(out, "\nAgent tier: %.0f spans and %.0f log records received, %.0f spans and %.0f log records sent on to the gateways.\n",
		f.agentTier.Sum("otelcol_receiver_accepted_spans"), f.agentTier.Sum("otelcol_receiver_accepted_log_records"),
		f.agentTier.Sum("otelcol_exporter_sent_spans", `exporter="load_balancing"`),
		f.agentTier.Sum("otelcol_exporter_sent_log_records", `exporter="load_balancing"`))
	fmt.Fprintf(out, "Totals: %d interactions sent by the agents, %d delivered once, %d duplicates, %.0f dropped by the gateways with a reason (%s), %d lost.\n",
		sumDue, sumDelivered, f.stats.Totals.Duplicates, droppedAll, formatReasons(dropped), lost)
	if sumExtra > 0 {
		fmt.Fprintf(out, "Extra: %d interactions of agent or tool spans that a restart separated from their model call (see RELIABILITY.md, known limits).\n", sumExtra)
	}
	for _, agent := range slices.Sorted(maps.Keys(f.servedBy)) {
		if gws := f.servedBy[agent]; len(gws) > 1 {
			fmt.Fprintf(out, "Routing: agent %s was served by %d gateways (%s); its plan-limit and join state were split.\n", agent, len(gws), strings.Join(gws, ", "))
		}
	}
}

// droppedByReason reads a gateway's exporter_precogx_interactions_dropped
// by its reason label.
func droppedByReason(m testbed.Metrics) map[string]float64 {
	const name = "otelcol_exporter_precogx_interactions_dropped{"
	out := map[string]float64{}
	for k, v := range m {
		if !strings.HasPrefix(k, name) || v == 0 {
			continue
		}
		_, rest, ok := strings.Cut(k, `reason="`)
		if reason, _, closed := strings.Cut(rest, `"`); ok && closed {
			out[reason] += v
		}
	}
	return out
}

func formatReasons(byReason map[string]float64) string {
	if len(byReason) == 0 {
		return "none"
	}
	parts := make([]string, 0, len(byReason))
	for _, r := range slices.Sorted(maps.Keys(byReason)) {
		parts = append(parts, fmt.Sprintf("%s %.0f", r, byReason[r]))
	}
	return strings.Join(parts, ", ")
}
