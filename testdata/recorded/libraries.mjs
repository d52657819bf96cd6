// The instrumentation libraries recorded, keyed by the name used for the
// output files and the resource's service.name. Each run() executes inside
// its own worker process, so each library patches a fresh `openai` module.
//
// Patching is done by hand, the way each library documents it, because the
// recorder is an ES module and require hooks never see `import 'openai'`.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { metrics } from '@opentelemetry/api';
import { MODEL } from './mock-openai.mjs';
import {
  HELLO_PROMPT,
  SYSTEM_PROMPT,
  TOOL_DESCRIPTION,
  USER_QUESTION,
  getWeather,
  runOpenAIClientScenario,
} from './scenario.mjs';

export const LIBRARIES = {
  'otel-openai': {
    package: '@opentelemetry/instrumentation-openai',
    async run({ baseURL, tracerProvider, loggerProvider }) {
      const { OpenAIInstrumentation } = await import('@opentelemetry/instrumentation-openai');
      // Content goes to log records only when capture is on; the worker's
      // environment also sets OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT.
      const instrumentation = new OpenAIInstrumentation({ captureMessageContent: true });
      instrumentation.setTracerProvider(tracerProvider);
      instrumentation.setLoggerProvider(loggerProvider);
      // Its metric instruments exist only after setMeterProvider, which
      // registerInstrumentations would call; the streaming path needs them.
      instrumentation.setMeterProvider(metrics.getMeterProvider());
      // This library has no manual patch entry point: its require hook,
      // enabled by the constructor, patches the CommonJS build on require.
      const { OpenAI } = createRequire(import.meta.url)('openai');
      assertPatched(OpenAI);
      await runOpenAIClientScenario(OpenAI, baseURL);
    },
  },

  'traceloop-openai': {
    package: '@traceloop/instrumentation-openai',
    async run({ baseURL, tracerProvider }) {
      const { OpenAIInstrumentation } = await import('@traceloop/instrumentation-openai');
      const { OpenAI } = await import('openai');
      const instrumentation = new OpenAIInstrumentation({ traceContent: true });
      instrumentation.setTracerProvider(tracerProvider);
      instrumentation.manuallyInstrument(OpenAI);
      assertPatched(OpenAI);
      await runOpenAIClientScenario(OpenAI, baseURL);
    },
  },

  'openinference-openai': {
    package: '@arizeai/openinference-instrumentation-openai',
    async run({ baseURL, tracerProvider }) {
      const { OpenAIInstrumentation } = await import('@arizeai/openinference-instrumentation-openai');
      const openaiModule = await import('openai');
      // Default trace config: nothing hidden, content on the spans.
      const instrumentation = new OpenAIInstrumentation();
      instrumentation.setTracerProvider(tracerProvider);
      instrumentation.manuallyInstrument(openaiModule);
      assertPatched(openaiModule.OpenAI);
      await runOpenAIClientScenario(openaiModule.OpenAI, baseURL);
    },
  },

  'vercel-ai': {
    package: 'ai',
    async run({ baseURL }) {
      const { generateText, stepCountIs, streamText, tool } = await import('ai');
      const { createOpenAI } = await import('@ai-sdk/openai');
      const { z } = await import('zod');
      // The SDK creates its spans with the global tracer provider, which
      // startTelemetry registered.
      const openai = createOpenAI({ baseURL, apiKey: 'test' });
      const telemetry = { isEnabled: true, functionId: 'weather-agent', recordInputs: true, recordOutputs: true };
      const tools = {
        get_weather: tool({
          description: TOOL_DESCRIPTION,
          inputSchema: z.object({ location: z.string().describe('City name') }),
          execute: async (input) => getWeather(input),
        }),
      };

      for (const model of [openai.chat(MODEL), openai.responses(MODEL)]) {
        const weather = await generateText({
          model,
          system: SYSTEM_PROMPT,
          prompt: USER_QUESTION,
          tools,
          stopWhen: stepCountIs(5),
          experimental_telemetry: telemetry,
        });
        assert.equal(weather.steps.length, 2, `${model.provider}: the tool round takes two steps`);
        assert.match(weather.text, /Paris/);
      }

      const hello = await generateText({
        model: openai.chat(MODEL),
        prompt: HELLO_PROMPT,
        experimental_telemetry: telemetry,
      });
      assert.match(hello.text, /Hello/);

      const stream = streamText({
        model: openai.chat(MODEL),
        prompt: HELLO_PROMPT,
        experimental_telemetry: telemetry,
      });
      let text = '';
      for await (const delta of stream.textStream) text += delta;
      assert.match(text, /^Hello!/);
    },
  },
};

// Fails the run when an instrumentation did not wrap the client, rather
// than recording a file with no GenAI spans in it.
function assertPatched(OpenAI) {
  const create = OpenAI.Chat.Completions.prototype.create;
  assert.ok(create.__wrapped || create.__original, 'openai Chat.Completions.create is not instrumented');
}
