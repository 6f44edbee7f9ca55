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
