// A tiny OpenAI-compatible HTTP server: Chat Completions (plain, tool call,
// streaming SSE) and the Responses API (plain, tool call). Answers are fixed
// so every library sees the same model behaviour; ids and the `created`
// timestamp are constants so recorded response attributes diff cleanly.
import http from 'node:http';

export const MODEL = 'gpt-4o-mini';
const RESPONSE_MODEL = 'gpt-4o-mini-2024-07-18';
const CREATED = 1767225600; // 2026-01-01T00:00:00Z

export const TOOL_CALL_ID = 'call_weather_1';
export const TOOL_NAME = 'get_weather';
export const TOOL_ARGUMENTS = '{"location":"Paris"}';
const WEATHER_ANSWER = 'It is sunny and 22°C in Paris right now.';
const HELLO_ANSWER = 'Hello! How can I help you today?';
const STREAM_PIECES = ['Hello', '!', ' Nice', ' to', ' meet', ' you', '.'];

// Starts the server on 127.0.0.1 with a free port. takeRequests() returns
// and resets the count of answers given, by kind, so the caller can check
// that each scenario step reached the mock.
export async function startMockOpenAI() {
  let requests = {};
  const server = http.createServer(async (req, res) => {
    let body;
    try {
      body = JSON.parse((await readBody(req)).toString('utf8'));
    } catch {
      return sendJSON(res, 400, { error: { message: 'body is not JSON' } });
    }
    if (req.method === 'POST' && req.url === '/v1/chat/completions') {
      return answerChat(body, res, requests);
    }
    if (req.method === 'POST' && req.url === '/v1/responses') {
      return answerResponses(body, res, requests);
    }
    count(requests, `unexpected ${req.method} ${req.url}`);
    sendJSON(res, 404, { error: { message: `no mock for ${req.method} ${req.url}` } });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    baseURL: `http://127.0.0.1:${server.address().port}/v1`,
    takeRequests() {
      const taken = requests;
      requests = {};
      return taken;
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

function answerChat(body, res, requests) {
  if (body.stream) {
    count(requests, 'chat.stream');
    return streamChat(body, res);
  }
  const hasToolResult = body.messages.some((m) => m.role === 'tool');
  let message;
  let finishReason = 'stop';
  let usage;
  let id;
  if (hasToolResult) {
    count(requests, 'chat.tool_answer');
    id = 'chatcmpl-mock-tool-answer';
    message = { role: 'assistant', content: WEATHER_ANSWER, refusal: null };
    usage = usageOf(96, 13);
  } else if (body.tools?.length) {
    count(requests, 'chat.tool_call');
    id = 'chatcmpl-mock-tool-call';
    message = {
      role: 'assistant',
      content: null,
      refusal: null,
      tool_calls: [
        { id: TOOL_CALL_ID, type: 'function', function: { name: TOOL_NAME, arguments: TOOL_ARGUMENTS } },
      ],
    };
    finishReason = 'tool_calls';
    usage = usageOf(71, 15);
  } else {
    count(requests, 'chat.plain');
    id = 'chatcmpl-mock-hello';
    message = { role: 'assistant', content: HELLO_ANSWER, refusal: null };
    usage = usageOf(10, 9);
  }
  sendJSON(res, 200, {
    id,
    object: 'chat.completion',
    created: CREATED,
    model: RESPONSE_MODEL,
    system_fingerprint: 'fp_mock',
    choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason }],
    usage,
  });
}

function streamChat(body, res) {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const chunk = (choices, extra = {}) => ({
    id: 'chatcmpl-mock-stream',
    object: 'chat.completion.chunk',
    created: CREATED,
    model: RESPONSE_MODEL,
    system_fingerprint: 'fp_mock',
    choices,
    ...extra,
  });
  const delta = (d, finishReason = null) => [{ index: 0, delta: d, logprobs: null, finish_reason: finishReason }];
  const events = [chunk(delta({ role: 'assistant', content: '', refusal: null }))];
  for (const piece of STREAM_PIECES) events.push(chunk(delta({ content: piece })));
  events.push(chunk(delta({}, 'stop')));
  if (body.stream_options?.include_usage) events.push(chunk([], { usage: usageOf(10, 7) }));
  for (const event of events) res.write(`data: ${JSON.stringify(event)}\n\n`);
  res.end('data: [DONE]\n\n');
}

function answerResponses(body, res, requests) {
  const input = Array.isArray(body.input) ? body.input : [];
  const hasToolResult = input.some((item) => item.type === 'function_call_output');
  let id;
  let output;
  let usage;
  if (hasToolResult) {
    count(requests, 'responses.tool_answer');
    id = 'resp_mock_tool_answer';
    output = [textMessage('msg_mock_tool_answer', WEATHER_ANSWER)];
    usage = responsesUsageOf(98, 13);
  } else if (body.tools?.length) {
    count(requests, 'responses.tool_call');
    id = 'resp_mock_tool_call';
    output = [
      {
        type: 'function_call',
        id: 'fc_mock_weather_1',
        call_id: TOOL_CALL_ID,
        name: TOOL_NAME,
        arguments: TOOL_ARGUMENTS,
        status: 'completed',
      },
    ];
    usage = responsesUsageOf(73, 15);
  } else {
    count(requests, 'responses.plain');
    id = 'resp_mock_hello';
    output = [textMessage('msg_mock_hello', HELLO_ANSWER)];
    usage = responsesUsageOf(12, 9);
  }
  sendJSON(res, 200, {
    id,
    object: 'response',
    created_at: CREATED,
    status: 'completed',
    error: null,
    incomplete_details: null,
    instructions: body.instructions ?? null,
    max_output_tokens: null,
    model: RESPONSE_MODEL,
    output,
    parallel_tool_calls: true,
    previous_response_id: null,
    reasoning: { effort: null, summary: null },
    store: true,
    temperature: 1,
    text: { format: { type: 'text' } },
    tool_choice: 'auto',
    tools: body.tools ?? [],
    top_p: 1,
    truncation: 'disabled',
    usage,
    user: null,
    metadata: {},
  });
}

function textMessage(id, text) {
  return {
    type: 'message',
    id,
    status: 'completed',
    role: 'assistant',
    content: [{ type: 'output_text', text, annotations: [] }],
  };
}

function usageOf(prompt, completion) {
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

function responsesUsageOf(input, output) {
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: input + output,
  };
}

function count(requests, kind) {
  requests[kind] = (requests[kind] ?? 0) + 1;
}

function sendJSON(res, status, value) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
}

export async function readBody(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  return Buffer.concat(chunks);
}
