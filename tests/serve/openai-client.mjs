// A third-party client for `arbord serve`: the official OpenAI Node SDK. Run by tst_serve with
// ARBOR_SERVE_URL (…/v1), ARBOR_SERVE_TOKEN and a mode; prints one JSON object on stdout.
import OpenAI from 'openai';

const client = new OpenAI({
    baseURL: process.env.ARBOR_SERVE_URL,
    apiKey: process.env.ARBOR_SERVE_TOKEN,
    maxRetries: 0,
});
const model = 'demo/demo';
const mode = process.argv[2];
const weatherTools = [{ type: 'function', name: 'get_weather', description: 'The weather in a city',
                        parameters: { type: 'object', properties: { city: { type: 'string' } },
                                      required: ['city'] },
                        strict: true }];
const echoOf = (r) => ({ tools: r.tools, tool_choice: r.tool_choice,
                         parallel_tool_calls: r.parallel_tool_calls, temperature: r.temperature,
                         top_p: r.top_p, max_output_tokens: r.max_output_tokens });

async function streamResponse(params) {
    const stream = await client.responses.create({ ...params, stream: true });
    let text = '';
    let id = '';
    let final = null;
    const events = [];
    for await (const event of stream) {
        events.push([event.sequence_number, event.type]);
        if (event.type === 'response.created') id = event.response.id;
        if (event.type === 'response.output_text.delta') text += event.delta;
        if (event.type === 'response.completed' || event.type === 'response.incomplete'
            || event.type === 'response.failed')
            final = event.response;
    }
    return { id, text, events, status: final?.status, output_text: final?.output_text,
             previous_response_id: final?.previous_response_id };
}

async function main() {
    if (mode === 'chat-stream') {
        const stream = await client.chat.completions.create({
            model, stream: true, stream_options: { include_usage: true },
            messages: [{ role: 'system', content: 'Be brief.' },
                       { role: 'user', content: 'Tell me about trees.' }],
        });
        let text = '';
        let id = '';
        let finish = null;
        let usage = null;
        for await (const chunk of stream) {
            id = chunk.id;
            if (chunk.usage) usage = chunk.usage;
            const choice = chunk.choices[0];
            if (!choice) continue;
            text += choice.delta?.content ?? '';
            if (choice.finish_reason) finish = choice.finish_reason;
        }
        return { id, text, finish, usage };
    }
    if (mode === 'chat') {
        const r = await client.chat.completions.create({
            model, messages: [{ role: 'user', content: 'Hello' },
                              { role: 'assistant', content: 'Hi! How can I help?' },
                              { role: 'user', content: 'Tell me about branches.' }],
        });
        return { id: r.id, text: r.choices[0].message.content, finish: r.choices[0].finish_reason,
                 usage: r.usage, metadata: r.metadata };
    }
    if (mode === 'responses-stream')
        return streamResponse({ model, input: 'Tell me about roots.', instructions: 'Be brief.' });
    if (mode === 'responses') {
        const r = await client.responses.create({ model, input: 'Tell me about leaves.' });
        return { id: r.id, text: r.output_text, status: r.status, usage: r.usage };
    }
    if (mode === 'branch') {
        const first = await client.responses.create({ model, input: 'First question' });
        const second = await streamResponse({ model, input: 'Second question',
                                              previous_response_id: first.id });
        const third = await client.responses.create({ model, input: 'Another second question',
                                                      previous_response_id: first.id });
        const fourth = await client.responses.create({ model, input: 'Third question',
                                                       previous_response_id: second.id });
        return { first: first.id, second: second.id, third: third.id, fourth: fourth.id,
                 secondPrevious: second.previous_response_id,
                 thirdPrevious: third.previous_response_id,
                 fourthPrevious: fourth.previous_response_id,
                 conversations: [first, third, fourth].map(r => r.metadata.arbor_conversation_id) };
    }
    if (mode === 'resume') {
        // Resume a stream with starting_after, as after a dropped connection.
        const id = process.argv[3];
        const after = Number(process.argv[4]);
        const stream = await client.responses.retrieve(id, { stream: true, starting_after: after });
        let text = '';
        const events = [];
        let status = null;
        for await (const event of stream) {
            events.push([event.sequence_number, event.type]);
            if (event.type === 'response.output_text.delta') text += event.delta;
            if (event.response && event.type !== 'response.created'
                && event.type !== 'response.in_progress')
                status = event.response.status;
        }
        return { text, events, status };
    }
    if (mode === 'tools-responses') {
        // A function-call round trip: the model asks for the client's tool, the client runs it
        // and sends its output with previous_response_id. Argument 3: stream the first request.
        const tools = [{ type: 'function', name: 'get_weather', description: 'The weather in a city',
                         parameters: { type: 'object', properties: { city: { type: 'string' } },
                                       required: ['city'] },
                         strict: true }];
        const fakeModel = 'fake/fake-model';
        let first;
        const events = [];
        if (process.argv[3] === 'stream') {
            const stream = await client.responses.create({ model: fakeModel, input: 'Weather in Paris?',
                                                           tools, tool_choice: 'auto', stream: true });
            let args = '';
            for await (const event of stream) {
                events.push([event.sequence_number, event.type, event.item?.type ?? '']);
                if (event.type === 'response.function_call_arguments.delta') args += event.delta;
                if (event.type === 'response.completed') first = event.response;
            }
            first.streamedArguments = args;
        } else {
            first = await client.responses.create({ model: fakeModel, input: 'Weather in Paris?',
                                                    tools, tool_choice: 'auto' });
        }
        const calls = first.output.filter(item => item.type === 'function_call');
        const input = calls.map(call => ({ type: 'function_call_output', call_id: call.call_id,
                                           output: `18°C and sunny in ${JSON.parse(call.arguments).city}` }));
        const second = await client.responses.create({ model: fakeModel, tools, input,
                                                       previous_response_id: first.id });
        return { first: { id: first.id, status: first.status, output: first.output,
                          streamedArguments: first.streamedArguments },
                 events, second: { id: second.id, text: second.output_text, status: second.status,
                                   previous_response_id: second.previous_response_id } };
    }
    if (mode === 'tools-chat') {
        const tools = [{ type: 'function',
                         function: { name: 'get_weather', description: 'The weather in a city',
                                     parameters: { type: 'object',
                                                   properties: { city: { type: 'string' } } } } }];
        const messages = [{ role: 'user', content: 'Weather in Paris?' }];
        const stream = await client.chat.completions.create({ model: 'fake/fake-model', messages, tools,
                                                               tool_choice: 'required', stream: true });
        let content = '';
        let finish = null;
        const calls = [];
        for await (const chunk of stream) {
            const choice = chunk.choices[0];
            if (!choice) continue;
            content += choice.delta?.content ?? '';
            for (const d of choice.delta?.tool_calls ?? []) {
                calls[d.index] ??= { id: '', type: 'function', function: { name: '', arguments: '' } };
                if (d.id) calls[d.index].id = d.id;
                if (d.function?.name) calls[d.index].function.name += d.function.name;
                if (d.function?.arguments) calls[d.index].function.arguments += d.function.arguments;
            }
            if (choice.finish_reason) finish = choice.finish_reason;
        }
        messages.push({ role: 'assistant', content: content || null, tool_calls: calls });
        for (const call of calls)
            messages.push({ role: 'tool', tool_call_id: call.id, content: '18°C and sunny' });
        const second = await client.chat.completions.create({ model: 'fake/fake-model', messages, tools });
        return { content, finish, calls, text: second.choices[0].message.content,
                 secondFinish: second.choices[0].finish_reason };
    }
    if (mode === 'reasoning') {
        const stream = await client.responses.create({ model: 'fake/fake-model',
                                                       input: 'How many r in strawberry?',
                                                       stream: true });
        const events = [];
        let reasoning = '';
        let text = '';
        let final = null;
        for await (const event of stream) {
            events.push([event.sequence_number, event.type, event.item?.type ?? '']);
            if (event.type === 'response.reasoning_text.delta') reasoning += event.delta;
            if (event.type === 'response.output_text.delta') text += event.delta;
            if (event.type === 'response.completed') final = event.response;
        }
        return { events, reasoning, text, id: final.id, output: final.output };
    }
    if (mode === 'pieces-responses') {
        // A call whose arguments the vendor streams in pieces: each delta as the client sees it,
        // and what response.created and response.completed echo of the request.
        const stream = await client.responses.create({
            model: 'fake/fake-model', input: 'Weather in Paris?', tools: weatherTools,
            tool_choice: 'required', parallel_tool_calls: false, temperature: 0.25,
            max_output_tokens: 300, stream: true });
        const deltas = [];
        const events = [];
        let created = null;
        let done = null;
        let final = null;
        for await (const event of stream) {
            events.push([event.sequence_number, event.type]);
            if (event.type === 'response.created') created = event.response;
            if (event.type === 'response.function_call_arguments.delta')
                deltas.push({ item_id: event.item_id, output_index: event.output_index,
                              delta: event.delta });
            if (event.type === 'response.function_call_arguments.done') done = event;
            if (event.type === 'response.completed') final = event.response;
        }
        return { deltas, events, done: { item_id: done.item_id, arguments: done.arguments },
                 id: final.id, output: final.output, created: echoOf(created),
                 completed: echoOf(final) };
    }
    if (mode === 'pieces-chat') {
        const stream = await client.chat.completions.create({
            model: 'fake/fake-model', stream: true, tool_choice: 'auto',
            messages: [{ role: 'user', content: 'Weather in Paris?' }],
            tools: weatherTools.map(({ name, description, parameters }) =>
                ({ type: 'function', function: { name, description, parameters } })) });
        const fragments = [];
        const calls = [];
        let finish = null;
        for await (const chunk of stream) {
            const choice = chunk.choices[0];
            if (!choice) continue;
            for (const d of choice.delta?.tool_calls ?? []) {
                calls[d.index] ??= { id: '', name: '', arguments: '' };
                if (d.id) calls[d.index].id = d.id;
                if (d.function?.name) calls[d.index].name += d.function.name;
                if (d.function?.arguments) {
                    fragments.push([d.index, d.function.arguments]);
                    calls[d.index].arguments += d.function.arguments;
                }
            }
            if (choice.finish_reason) finish = choice.finish_reason;
        }
        return { fragments, calls, finish };
    }
    if (mode === 'echo') {
        // Not streamed: the response object echoes the request; GET gives the same.
        const r = await client.responses.create({
            model: 'fake/fake-model', input: 'Weather in Paris?', tools: weatherTools,
            tool_choice: { type: 'function', name: 'get_weather' }, temperature: 0.5,
            max_output_tokens: 200 });
        const got = await client.responses.retrieve(r.id);
        const plain = await client.responses.create({ model: 'demo/demo', input: 'Hi' });
        return { created: echoOf(r), retrieved: echoOf(got), plain: echoOf(plain) };
    }
    if (mode === 'unauthorized') {
        try {
            await client.models.list();
            return { status: 200 };
        } catch (e) {
            return { status: e.status, error: e.error };
        }
    }
    throw new Error(`unknown mode ${mode}`);
}

main().then(r => { process.stdout.write(JSON.stringify(r)); },
            e => { process.stderr.write(String(e?.stack ?? e)); process.exit(1); });
