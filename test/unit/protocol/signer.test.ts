import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Signer } from '../../../src/protocol/signer.js';

const FRAMES = ['{"msg_id":"1"}', '{}', '{}', '{"code":"x"}'].map((s) => Buffer.from(s));
// python3 -c "import hmac,hashlib;print(hmac.new(b'key',b'{\"msg_id\":\"1\"}{}{}{\"code\":\"x\"}',hashlib.sha256).hexdigest())"
const SHA256 = '0c5ebda71f7336468e1a01d3c4df1cc68f6c6c4c3bc0a213c7ec81784e2ebf6d';
// python3 -c "import hmac,hashlib;print(hmac.new(b'key',b'{\"msg_id\":\"1\"}{}{}{\"code\":\"x\"}',hashlib.sha512).hexdigest())"
const SHA512 =
  '6096f85252c470c765c498c3b3d6dd0f1eec7018daa734ee8bd389b04a21bf6545023e1f44f59c677864e6106a7ec8a386ed041dc8166984a04483275cd66b5a';

describe('Signer', () => {
  test('hmac-sha256 matches Python hmac over the four frames', () => {
    assert.equal(new Signer('hmac-sha256', 'key').sign(FRAMES), SHA256);
  });

  test('hmac-sha512 follows the scheme', () => {
    assert.equal(new Signer('hmac-sha512', 'key').sign(FRAMES), SHA512);
  });

  test('verifies a good signature once, then rejects its replay', () => {
    const signer = new Signer('hmac-sha256', 'key');
    assert.equal(signer.verify(SHA256, FRAMES), 'valid');
    assert.equal(signer.verify(SHA256, FRAMES), 'replayed');
  });

  test('forgets the oldest signatures beyond its memory', () => {
    const signer = new Signer('hmac-sha256', 'key', 2);
    const frames = (i: number) => [Buffer.from(`{"i":${i}}`), ...FRAMES.slice(1)];
    const sigs = [0, 1, 2].map((i) => signer.sign(frames(i)));
    sigs.forEach((sig, i) => assert.equal(signer.verify(sig, frames(i)), 'valid'));
    assert.equal(signer.verify(sigs[0], frames(0)), 'valid', 'the oldest was forgotten');
    assert.equal(signer.verify(sigs[2], frames(2)), 'replayed');
  });

  test('rejects a wrong signature, of the right length or not', () => {
    const signer = new Signer('hmac-sha256', 'key');
    assert.equal(signer.verify(SHA256.replace(/^0/, '1'), FRAMES), 'invalid');
    assert.equal(signer.verify(SHA256.slice(0, 10), FRAMES), 'invalid');
    assert.equal(signer.verify('', FRAMES), 'invalid');
    assert.equal(signer.verify(`${SHA256}00`, FRAMES), 'invalid');
  });

  test('an empty key signs with the empty string and verifies nothing', () => {
    const signer = new Signer('hmac-sha256', '');
    assert.equal(signer.enabled, false);
    assert.equal(signer.sign(FRAMES), '');
    assert.equal(signer.verify('', FRAMES), 'valid');
    assert.equal(signer.verify('', FRAMES), 'valid', 'no replay check without signatures');
  });

  test('an unsupported scheme is refused', () => {
    assert.throws(() => new Signer('hmac-nosuchhash', 'key'), /nosuchhash/);
    assert.throws(() => new Signer('sha256', 'key'), /signature_scheme/);
  });
});
