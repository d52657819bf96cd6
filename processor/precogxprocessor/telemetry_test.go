package precogxprocessor

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"

	"github.com/precogxai/precogx-otel/processor/precogxprocessor/internal/metadatatest"
)

// counts maps a metric attribute value (kind or reason) to the expected sum;
// the key "" stands for a data point without attributes.
type counts map[string]int64

type assertFunc func(*testing.T, *componenttest.Telemetry, []metricdata.DataPoint[int64], ...metricdatatest.Option)

// assertCounter checks a counter's data points; no expected counts means the
// counter must not have been recorded at all.
func assertCounter(t *testing.T, tel *componenttest.Telemetry, name, attrKey string, want counts, assertEqual assertFunc) {
	t.Helper()
	if len(want) == 0 {
		_, err := tel.GetMetric(name)
		assert.Error(t, err, "%s was recorded", name)
		return
	}
	dps := make([]metricdata.DataPoint[int64], 0, len(want))
	for value, n := range want {
		attrs := attribute.NewSet()
		if value != "" {
			attrs = attribute.NewSet(attribute.String(attrKey, value))
		}
		dps = append(dps, metricdata.DataPoint[int64]{Attributes: attrs, Value: n})
	}
	assertEqual(t, tel, dps, metricdatatest.IgnoreTimestamp(), metricdatatest.IgnoreExemplars())
}

func assertSpanTelemetry(t *testing.T, tel *componenttest.Telemetry, kept, dropped counts, randomIDs int64) {
	t.Helper()
	assertCounter(t, tel, "otelcol_processor_precogx_spans_kept", "kind", kept,
		metadatatest.AssertEqualProcessorPrecogxSpansKept)
	assertCounter(t, tel, "otelcol_processor_precogx_spans_dropped", "reason", dropped,
		metadatatest.AssertEqualProcessorPrecogxSpansDropped)
	assertRandomIDs(t, tel, randomIDs)
}

func assertLogTelemetry(t *testing.T, tel *componenttest.Telemetry, kept int64, dropped counts, randomIDs int64) {
	t.Helper()
	var keptCounts counts
	if kept > 0 {
		keptCounts = counts{"": kept}
	}
	assertCounter(t, tel, "otelcol_processor_precogx_log_records_kept", "", keptCounts,
		metadatatest.AssertEqualProcessorPrecogxLogRecordsKept)
	assertCounter(t, tel, "otelcol_processor_precogx_log_records_dropped", "reason", dropped,
		metadatatest.AssertEqualProcessorPrecogxLogRecordsDropped)
	assertRandomIDs(t, tel, randomIDs)
}

func assertRandomIDs(t *testing.T, tel *componenttest.Telemetry, n int64) {
	t.Helper()
	var want counts
	if n > 0 {
		want = counts{"": n}
	}
	assertCounter(t, tel, "otelcol_processor_precogx_random_agent_ids", "", want,
		metadatatest.AssertEqualProcessorPrecogxRandomAgentIds)
}
