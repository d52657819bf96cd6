// Tracer and logger providers for one worker process, exporting OTLP/HTTP
// JSON to the recorder's receiver under /<library>/v1/{traces,logs}.
import { logs } from '@opentelemetry/api-logs';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

// Long enough that nothing is exported before shutdown flushes everything
// in one request per signal, which keeps the recorded files stable.
const EXPORT_DELAY_MS = 60_000;

export function startTelemetry(library, endpoint) {
  const resource = defaultResource().merge(resourceFromAttributes({ 'service.name': library }));
  const batch = { scheduledDelayMillis: EXPORT_DELAY_MS, maxExportBatchSize: 4096, maxQueueSize: 4096 };

  const tracerProvider = new NodeTracerProvider({
    resource,
    spanProcessors: [
      new BatchSpanProcessor(new OTLPTraceExporter({ url: `${endpoint}/${library}/v1/traces` }), batch),
    ],
  });
  // register() also installs the AsyncLocalStorage context manager, which
  // parent/child links and the log records' span context depend on.
  tracerProvider.register();

  const loggerProvider = new LoggerProvider({
    resource,
    processors: [
      new BatchLogRecordProcessor({ exporter: new OTLPLogExporter({ url: `${endpoint}/${library}/v1/logs` }), ...batch }),
    ],
  });
  logs.setGlobalLoggerProvider(loggerProvider);

  return {
    tracerProvider,
    loggerProvider,
    async shutdown() {
      await tracerProvider.shutdown();
      await loggerProvider.shutdown();
    },
  };
}
