// The scenario every library runs against the mock: a weather tool round,
// a plain chat, a streaming chat and, through the Responses API, the same
// tool round again. Each answer is checked so a broken run fails loudly
// instead of recording half a conversation.
import assert from 'node:assert/strict';
import { MODEL, TOOL_ARGUMENTS, TOOL_CALL_ID, TOOL_NAME } from './mock-openai.mjs';

export const SYSTEM_PROMPT = 'You are a weather bot.';
export const USER_QUESTION = 'What is the weather in Paris?';
export const HELLO_PROMPT = 'Say hello';
export const TOOL_DESCRIPTION = 'Get the current weather for a location.';

export function getWeather({ location }) {
  return { location, temperature_c: 22, condition: 'sunny' };
}

const LOCATION_SCHEMA = {
  type: 'object',
  properties: { location: { type: 'string', description: 'City name' } },
  required: ['location'],
  additionalProperties: false,
};

// Runs the scenario with the official `openai` client class.
export async function runOpenAIClientScenario(OpenAI, baseURL) {
  const client = new OpenAI({ baseURL, apiKey: 'test', maxRetries: 0 });
  await chatToolRound(client);
  await chatPlain(client);
  await chatStream(client);
  await responsesToolRound(client);
}

async function chatToolRound(client) {
  const tools = [
    { type: 'function', function: { name: TOOL_NAME, description: TOOL_DESCRIPTION, parameters: LOCATION_SCHEMA } },
  ];
  const messages = [
    { role: 'system', content: SYSTEM_PROMPT },
    { role: 'user', content: USER_QUESTION },
  ];
  const first = await client.chat.completions.create({ model: MODEL, messages, tools });
  const assistant = first.choices[0].message;
  const [call] = assistant.tool_calls ?? [];
  assert.equal(call?.id, TOOL_CALL_ID, 'first answer must request the weather tool');
  assert.equal(call.function.arguments, TOOL_ARGUMENTS);

  const result = getWeather(JSON.parse(call.function.arguments));
  messages.push(assistant, { role: 'tool', tool_call_id: call.id, content: JSON.stringify(result) });
  const second = await client.chat.completions.create({ model: MODEL, messages, tools });
  assert.match(second.choices[0].message.content, /Paris/);
}

async function chatPlain(client) {
  const answer = await client.chat.completions.create({
    model: MODEL,
    messages: [{ role: 'user', content: HELLO_PROMPT }],
  });
  assert.match(answer.choices[0].message.content, /Hello/);
}

async function chatStream(client) {
  const stream = await client.chat.completions.create({
    model: MODEL,
    messages: [{ role: 'user', content: HELLO_PROMPT }],
    stream: true,
    stream_options: { include_usage: true },
  });
  let text = '';
  for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
  assert.match(text, /^Hello!/);
}

async function responsesToolRound(client) {
  const tools = [
    { type: 'function', name: TOOL_NAME, description: TOOL_DESCRIPTION, parameters: LOCATION_SCHEMA, strict: true },
  ];
  const first = await client.responses.create({
    model: MODEL,
    instructions: SYSTEM_PROMPT,
    input: USER_QUESTION,
    tools,
  });
  const call = first.output.find((item) => item.type === 'function_call');
  assert.equal(call?.call_id, TOOL_CALL_ID, 'first response must request the weather tool');

  const result = getWeather(JSON.parse(call.arguments));
  const second = await client.responses.create({
    model: MODEL,
    instructions: SYSTEM_PROMPT,
    input: [
      { role: 'user', content: USER_QUESTION },
      call,
      { type: 'function_call_output', call_id: call.call_id, output: JSON.stringify(result) },
    ],
    tools,
  });
  assert.match(second.output_text, /Paris/);
}
