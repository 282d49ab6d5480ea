#!/usr/bin/env node
// The floor of a Node kernel's start: Node plus zeromq, the five sockets bound, kernel_info
// answered (signed) and nothing else. `npm run bench` starts it beside icuda and ipykernel so
// the margin icuda keeps above the cheapest possible start on this stack is visible.
// Usage: node bench/floor-kernel.cjs CONNECTION_FILE
'use strict';
const { createHmac, randomUUID } = require('node:crypto');
const { readFileSync } = require('node:fs');
const { Router, XPublisher } = require('zeromq');

const info = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const at = (port) => `${info.transport}://${info.ip}:${port}`;
const DELIMITER = Buffer.from('<IDS|MSG>');
const session = randomUUID();

/** The four JSON frames signed with the connection's key. */
function sign(parts) {
  if (!info.key) return '';
  const hmac = createHmac(info.signature_scheme.replace(/^hmac-/, ''), info.key);
  for (const part of parts) hmac.update(part);
  return hmac.digest('hex');
}

/** Answers every kernel_info_request on shell; everything else is ignored. */
async function serve(shell) {
  for await (const frames of shell) {
    const split = frames.findIndex((f) => f.equals(DELIMITER));
    const header = JSON.parse(frames[split + 2].toString());
    if (header.msg_type !== 'kernel_info_request') continue;
    const reply = {
      msg_id: randomUUID(),
      msg_type: 'kernel_info_reply',
      session,
      username: 'floor',
      date: new Date().toISOString(),
      version: '5.3',
    };
    const content = {
      status: 'ok',
      protocol_version: '5.3',
      implementation: 'floor',
      implementation_version: '0',
      language_info: { name: 'none', version: '', mimetype: 'text/plain', file_extension: '.txt' },
      banner: 'floor',
    };
    const parts = [reply, header, {}, content].map((p) => Buffer.from(JSON.stringify(p)));
    await shell.send([...frames.slice(0, split), DELIMITER, Buffer.from(sign(parts)), ...parts]);
  }
}

/** Echoes heartbeats. */
async function echo(hb) {
  for await (const frames of hb) await hb.send(frames);
}

async function main() {
  const [shell, control, stdin, hb] = [new Router(), new Router(), new Router(), new Router()];
  const iopub = new XPublisher();
  await Promise.all([
    shell.bind(at(info.shell_port)),
    control.bind(at(info.control_port)),
    stdin.bind(at(info.stdin_port)),
    iopub.bind(at(info.iopub_port)),
    hb.bind(at(info.hb_port)),
  ]);
  process.once('SIGTERM', () => process.exit(0));
  await Promise.all([serve(shell), echo(hb)]);
}

main().catch((error) => {
  process.stderr.write(`floor kernel: ${error.stack}\n`);
  process.exit(1);
});
