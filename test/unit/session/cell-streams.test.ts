// Output attribution: end markers found however the text is chunked, a cell complete only once
// its reply and both markers are in, output after a cell kept for the next one.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CellStreams } from '../../../src/session/cell-streams.js';
import { endMarker, MarkerScanner } from '../../../src/session/end-marker.js';
import { parseReply, type RunnerReply } from '../../../src/session/runner-reply.js';
import { RecordingSink } from '../../support/fakes.js';

const reply = (nonce: string): RunnerReply => ({ nonce, status: 'ok', message: '', cuda: undefined, sticky: false });

describe('MarkerScanner', () => {
  test('a marker split anywhere is found; text around it is kept whole', () => {
    const all = `hello ${endMarker('n1')}next`;
    for (let cut = 0; cut <= all.length; cut++) {
      const scanner = new MarkerScanner();
      scanner.expect('n1');
      let [shown, rest, ended] = ['', '', false];
      for (const piece of [all.slice(0, cut), all.slice(cut)]) {
        const out = scanner.push(piece);
        if (ended) rest += out.text;
        else shown += out.text;
        ended ||= out.ended;
      }
      assert.equal(shown, 'hello ', `cut at ${cut}`);
      assert.equal(ended, true);
      assert.equal(rest + scanner.drain(), 'next', 'what follows belongs to the next cell');
    }
  });

  test("another cell's marker is plain text", () => {
    const scanner = new MarkerScanner();
    scanner.expect('n2');
    const out = scanner.push(`a${endMarker('n1')}b`);
    assert.equal(out.ended, false);
    assert.equal(out.text + scanner.drain(), `a${endMarker('n1')}b`);
  });
});

describe('CellStreams', () => {
  test('the cell completes only when its reply and both markers arrived, in any order', () => {
    const streams = new CellStreams();
    const sink = new RecordingSink();
    const done: RunnerReply[] = [];
    streams.start('n1', sink, (r) => done.push(r));
    streams.text('stdout', 'out\n');
    streams.reply(reply('n1'));
    streams.text('stdout', endMarker('n1'));
    assert.equal(done.length, 0, 'stderr has not ended yet');
    streams.text('stderr', 'err' + endMarker('n1').slice(0, 4));
    streams.text('stderr', endMarker('n1').slice(4) + 'late');
    assert.equal(done.length, 1);
    streams.finish();
    assert.equal(sink.text('stdout'), 'out\n');
    assert.equal(sink.text('stderr'), 'err');
    const next = new RecordingSink();
    streams.start('n2', next, () => undefined);
    assert.equal(next.text('stderr'), 'late', 'output after a cell goes to the next one');
  });

  test("a reply for another run is ignored; a runner's end shows what was held back", () => {
    const streams = new CellStreams();
    const sink = new RecordingSink();
    let completed = false;
    streams.start('n1', sink, () => (completed = true));
    streams.reply(reply('other'));
    streams.text('stdout', 'partial\x1eicuda');
    assert.equal(completed, false);
    streams.finish();
    assert.equal(sink.text('stdout'), 'partial\x1eicuda');
  });
});

describe('parseReply', () => {
  test('reads the runner frame; display frames are not replies', () => {
    const frame =
      '{"session":{"nonce":"n","status":"exception","message":"boom","cuda":{"code":35,"name":"cudaErrorInsufficientDriver","message":"no","where":"at the end of the cell","arch":""},"sticky":false}}';
    const parsed = parseReply(frame);
    assert.equal(parsed?.status, 'exception');
    assert.equal(parsed?.message, 'boom');
    assert.equal(parsed?.cuda?.name, 'cudaErrorInsufficientDriver');
    assert.equal(parseReply('{"display":{"text/plain":"x"}}'), undefined);
    assert.equal(parseReply('{"session":{"nonce":"n","status":"weird"}}'), undefined);
  });
});
