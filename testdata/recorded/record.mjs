// Records what real JavaScript GenAI instrumentation libraries emit, as
// OTLP JSON fixtures: <library>.traces.json and <library>.logs.json.
//
//   cd testdata/recorded && npm ci && node record.mjs [library ...]
//
// The parent process starts a mock OpenAI server and an OTLP/HTTP JSON
// receiver on 127.0.0.1, then runs each library's scenario in a child
// process of its own (`node record.mjs --worker <library>`) so that no two
// instrumentations ever patch the same `openai` module.
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { LIBRARIES } from './libraries.mjs';
import { startMockOpenAI } from './mock-openai.mjs';
import { startOTLPReceiver } from './otlp-receiver.mjs';
import { startTelemetry } from './telemetry.mjs';

const SCRIPT = fileURLToPath(import.meta.url);
const WORKER_TIMEOUT_MS = 60_000;

if (process.argv[2] === '--worker') {
  await runWorker(process.argv[3]);
} else {
  process.exitCode = await record(process.argv.slice(2));
}

async function record(selected) {
  const names = selected.length ? selected : Object.keys(LIBRARIES);
  const unknown = names.filter((name) => !LIBRARIES[name]);
  if (unknown.length) {
    console.error(`unknown libraries: ${unknown.join(', ')}; known: ${Object.keys(LIBRARIES).join(', ')}`);
    return 2;
  }

  const mock = await startMockOpenAI();
  const receiver = await startOTLPReceiver();
  const failed = [];
  try {
    for (const name of names) {
      const code = await runChild(name, mock.baseURL, receiver.endpoint);
      const requests = mock.takeRequests();
      console.log(`${name}: worker exit ${code}; mock answered ${JSON.stringify(requests)}`);
      if (code !== 0) {
        failed.push(name);
        continue;
      }
      for (const signal of ['traces', 'logs']) {
        const request = receiver.merged(name, signal);
        if (!request) continue;
        const file = `${name}.${signal}.json`;
        await writeFile(new URL(file, import.meta.url), `${JSON.stringify(request, null, 2)}\n`);
        console.log(`  wrote ${file}`);
      }
      if (!receiver.merged(name, 'traces')) failed.push(`${name} (no spans received)`);
    }
  } finally {
    await mock.close();
    await receiver.close();
  }
  for (const error of receiver.errors) console.error(`receiver: ${error}`);
  if (failed.length || receiver.errors.length) {
    console.error(`FAILED: ${failed.join(', ') || 'receiver errors'}`);
    return 1;
  }
  return 0;
}

// runChild resolves with the worker's exit code; a worker that hangs is
// killed after WORKER_TIMEOUT_MS and counts as failed.
function runChild(name, baseURL, endpoint) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [SCRIPT, '--worker', name], {
      stdio: 'inherit',
      env: {
        ...process.env,
        RECORD_OPENAI_BASE_URL: baseURL,
        RECORD_OTLP_ENDPOINT: endpoint,
        OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'true',
      },
    });
    const timer = setTimeout(() => {
      console.error(`${name}: no exit after ${WORKER_TIMEOUT_MS} ms, killing worker ${child.pid}`);
      child.kill('SIGKILL');
    }, WORKER_TIMEOUT_MS);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve(code ?? `signal ${signal}`);
    });
  });
}

async function runWorker(name) {
  const telemetry = startTelemetry(name, process.env.RECORD_OTLP_ENDPOINT);
  try {
    await LIBRARIES[name].run({
      baseURL: process.env.RECORD_OPENAI_BASE_URL,
      tracerProvider: telemetry.tracerProvider,
      loggerProvider: telemetry.loggerProvider,
    });
  } finally {
    // Shutdown flushes the batch processors: the export requests reach the
    // receiver before this process exits.
    await telemetry.shutdown();
  }
}
