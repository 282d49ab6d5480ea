// The display channel's framing and the outputs frames become; CUDA error notices.
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, test } from 'node:test';
import { FrameDecoder, handleFrame, readDisplayChannel } from '../../../src/engine/run/display-channel.js';
import { cudaNotice } from '../../../src/engine/run/cuda-notices.js';
import { RecordingSink } from '../../support/fakes.js';

/** A frame as icuda.h writes it. */
const frame = (json: string) => {
  const body = Buffer.from(json);
  const head = Buffer.alloc(4);
  head.writeUInt32BE(body.length);
  return Buffer.concat([head, body]);
};

/** A sink that also records displays. */
class DisplaySink extends RecordingSink {
  readonly shown: Record<string, unknown>[] = [];
  override display(...args: unknown[]): void {
    this.shown.push(args[0] as Record<string, unknown>);
  }
}

describe('FrameDecoder', () => {
  test('frames split anywhere across chunks come out whole, in order', () => {
    const bytes = Buffer.concat([frame('{"a":"é"}'), frame('{"b":2}')]);
    for (let cut = 0; cut <= bytes.length; cut++) {
      const d = new FrameDecoder();
      assert.deepEqual([...d.push(bytes.subarray(0, cut)), ...d.push(bytes.subarray(cut))], ['{"a":"é"}', '{"b":2}'], `cut at ${cut}`);
    }
  });

  test('an oversized length is refused', () => {
    assert.throws(() => new FrameDecoder().push(Buffer.from([0xff, 0xff, 0xff, 0xff])), /exceeds/);
  });
});

describe('handleFrame', () => {
  test('display bundles become display_data; json_text is parsed into application/json', () => {
    const sink = new DisplaySink();
    handleFrame('{"display":{"text/html":"<b>x</b>","text/plain":"x"}}', sink);
    handleFrame('{"display":{"text/plain":"{\\"n\\":1}"},"json_text":"{\\"n\\":1}"}', sink);
    assert.deepEqual(sink.shown, [
      { 'text/html': '<b>x</b>', 'text/plain': 'x' },
      { 'text/plain': '{"n":1}', 'application/json': { n: 1 } },
    ]);
  });

  test('bad JSON from the program is a one-line notice, not a crash', () => {
    const sink = new DisplaySink();
    handleFrame('{"display":', sink);
    handleFrame('{"display":{"text/plain":"x"},"json_text":"{nope"}', sink);
    assert.match(sink.text('stderr'), /not valid JSON\n.*display_json got text that is not JSON/s);
    assert.equal(sink.shown.length, 1, 'the text fallback still shows');
  });

  test('a cuda_error frame becomes the notice on stderr', () => {
    const sink = new DisplaySink();
    handleFrame(
      JSON.stringify({
        cuda_error: {
          code: 209,
          name: 'cudaErrorNoKernelImageForDevice',
          message: 'no kernel image is available for execution on the device',
          where: 'at exit',
          arch: 'sm_90',
        },
      }),
      sink,
    );
    assert.equal(
      sink.text('stderr'),
      'icuda: CUDA error left unchecked at exit: no kernel image is available for execution on the device (cudaErrorNoKernelImageForDevice) — compiled for an arch the GPU cannot run; fix: %flags -arch=sm_90\n',
    );
  });

  test('readDisplayChannel handles every frame before it resolves at the end of the stream', async () => {
    const sink = new DisplaySink();
    const stream = new PassThrough();
    const done = readDisplayChannel(stream, sink);
    stream.write(frame('{"display":{"text/plain":"1"}}').subarray(0, 5));
    stream.end(Buffer.concat([frame('{"display":{"text/plain":"1"}}').subarray(5), frame('{"display":{"text/plain":"2"}}')]));
    await done;
    assert.deepEqual(sink.shown, [{ 'text/plain': '1' }, { 'text/plain': '2' }]);
  });
});

describe('cudaNotice', () => {
  test('names the error, explains it, and says where it was seen', () => {
    const base = {
      code: 35,
      name: 'cudaErrorInsufficientDriver',
      message: 'CUDA driver version is insufficient for CUDA runtime version',
      where: 'at exit',
      arch: '',
    };
    assert.match(
      cudaNotice(base),
      /^icuda: CUDA unavailable: CUDA driver version is insufficient .* — no usable GPU\/driver on this machine/,
    );
    assert.match(
      cudaNotice({
        ...base,
        code: 9,
        name: 'cudaErrorInvalidConfiguration',
        message: 'invalid configuration argument',
        where: '%check: kernel launch #2 <<<(1,1,1),(2048,1,1)>>>',
      }),
      /^icuda: CUDA error after kernel launch #2 <<<\(1,1,1\),\(2048,1,1\)>>>: invalid configuration argument \(cudaErrorInvalidConfiguration\) — invalid launch configuration/,
    );
    assert.match(
      cudaNotice({ ...base, code: 209, name: 'cudaErrorNoKernelImageForDevice', message: 'm', arch: '' }),
      /fix: %flags -arch=sm_XX/,
    );
    assert.equal(
      cudaNotice({ ...base, code: 999, name: 'cudaErrorUnknown', message: 'unknown error' }),
      'icuda: CUDA error left unchecked at exit: unknown error (cudaErrorUnknown)\n',
    );
  });
});
