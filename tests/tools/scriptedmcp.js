#!/usr/bin/env node
// A scripted MCP server over stdio for Arbor's tests: it logs every byte it receives (so a test
// can prove that nothing reached it) and misbehaves on request.
//   node scriptedmcp.js --mode MODE [--log FILE] [--report FILE]
// --report FILE: writes {"env": its environment, "cmdline": its whole command line} there at start
// (how a test sees what a server was given, outside Arbor's store).
// MODE: normal     two tools over two tools/list pages; "write_note" (destructive) and "peek"
//                  (read-only); after a call of write_note the list changes (list_changed)
//       crash      exits with code 3 when a tool is called (after a line on stderr)
//       malformed  answers a tool call with a line that is not JSON
//       silent     never answers a tool call
//       flood      answers a tool call with 20 MB without a line end
//       oldversion answers initialize with protocol version 1999-01-01
'use strict';
const fs = require('fs');

const args = process.argv.slice(2);
const mode = args[args.indexOf('--mode') + 1] || 'normal';
const logIndex = args.indexOf('--log');
const logFile = logIndex >= 0 ? args[logIndex + 1] : null;
const reportIndex = args.indexOf('--report');
if (reportIndex >= 0)
  fs.writeFileSync(args[reportIndex + 1], JSON.stringify({
    env: process.env, cmdline: fs.readFileSync('/proc/self/cmdline', 'utf8').split('\0') }));

let extraTool = false;
const send = (obj) => process.stdout.write(JSON.stringify(obj) + '\n');
const tools = () => [
  { name: 'write_note', description: 'Writes a note', inputSchema: { type: 'object', properties: { text: { type: 'string' } } },
    annotations: { destructiveHint: true } },
  { name: 'peek', description: 'Reads a note', inputSchema: { type: 'object', properties: {} },
    annotations: { readOnlyHint: true } },
].concat(extraTool ? [{ name: 'later', description: 'Added after a write', inputSchema: { type: 'object' } }] : []);

function handle(msg) {
  if (msg.method === 'initialize') {
    send({ jsonrpc: '2.0', id: msg.id, result: {
      protocolVersion: mode === 'oldversion' ? '1999-01-01' : msg.params.protocolVersion,
      capabilities: { tools: { listChanged: true } }, serverInfo: { name: 'scripted', version: '1' } } });
    return;
  }
  if (msg.method === 'tools/list') {
    const all = tools();
    if (!msg.params || !msg.params.cursor)
      send({ jsonrpc: '2.0', id: msg.id, result: { tools: all.slice(0, 1), nextCursor: 'page2' } });
    else
      send({ jsonrpc: '2.0', id: msg.id, result: { tools: all.slice(1) } });
    return;
  }
  if (msg.method === 'tools/call') {
    if (mode === 'crash') {
      process.stderr.write('scripted: about to crash\n');
      process.exit(3);
    }
    if (mode === 'malformed') { process.stdout.write('{"jsonrpc": "2.0", "id": ' + msg.id + ', oops\n'); return; }
    if (mode === 'silent') return;
    if (mode === 'flood') { process.stdout.write('x'.repeat(20 * 1024 * 1024)); return; }
    const name = msg.params.name;
    const text = name === 'write_note' ? 'wrote: ' + (msg.params.arguments.text || '') : 'note';
    send({ jsonrpc: '2.0', id: msg.id, result: { content: [{ type: 'text', text }] } });
    if (name === 'write_note' && !extraTool) {
      extraTool = true;
      send({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' });
    }
    return;
  }
  if (msg.id !== undefined && msg.method)
    send({ jsonrpc: '2.0', id: msg.id, error: { code: -32601, message: 'no ' + msg.method } });
}

let buffer = '';
process.stdin.on('data', (chunk) => {
  if (logFile) fs.appendFileSync(logFile, chunk);
  buffer += chunk.toString('utf8');
  let nl;
  while ((nl = buffer.indexOf('\n')) >= 0) {
    const line = buffer.slice(0, nl);
    buffer = buffer.slice(nl + 1);
    if (line.trim()) handle(JSON.parse(line));
  }
});
process.stdin.on('end', () => process.exit(0));
