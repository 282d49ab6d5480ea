// The root logger: pino's JSON lines at its level and above, children's bindings, the key
// redacted; lines below the level are dropped without making a pino logger at all.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { createLogger, silentLogger } from '../../src/log.js';

/** A sink that keeps each line pino writes, parsed. */
function sink(): { stream: Writable; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { stream, lines };
}

test('lines at the level and above are pino JSON lines with the bindings of every child', () => {
  const { stream, lines } = sink();
  const log = createLogger({ level: 'info', sink: stream });
  const child = log.child({ session: 's1' }).child({ channel: 'shell' });
  child.debug('not shown');
  child.info({ n: 1 }, 'shown');
  log.error('root');
  assert.equal(lines.length, 2);
  assert.deepEqual(
    { level: lines[0].level, name: lines[0].name, session: lines[0].session, channel: lines[0].channel, n: lines[0].n, msg: lines[0].msg },
    { level: 30, name: 'icuda', session: 's1', channel: 'shell', n: 1, msg: 'shown' },
  );
  assert.equal(typeof lines[0].time, 'number');
  assert.deepEqual([lines[1].level, lines[1].msg, lines[1].session], [50, 'root', undefined]);
});

test('the connection key and tokens are redacted', () => {
  const { stream, lines } = sink();
  createLogger({ level: 'warn', sink: stream }).warn({ connection: { key: 'secret' }, token: 't' }, 'read');
  assert.deepEqual([lines[0].connection, lines[0].token], [{ key: '[redacted]' }, '[redacted]']);
});

test('the default level is warn, and its level and isLevelEnabled say so without logging', () => {
  const { stream, lines } = sink();
  const log = createLogger({ sink: stream });
  assert.equal(log.level, 'warn');
  assert.deepEqual([log.isLevelEnabled('info'), log.isLevelEnabled('warn'), log.isLevelEnabled('fatal')], [false, true, true]);
  log.info('dropped');
  log.child({ a: 1 }).debug('dropped');
  assert.equal(lines.length, 0);
  log.child({ a: 1 }).warn('kept');
  assert.deepEqual([lines.length, lines[0].a], [1, 1]);
});

test('an unknown level is refused at once, as pino does', () => {
  assert.throws(() => createLogger({ level: 'loud' }), /level:loud/);
});

test('the silent logger writes nothing', () => {
  const log = silentLogger();
  log.fatal('nothing');
  assert.equal(log.child({ x: 1 }).isLevelEnabled('fatal'), false);
});
