import assert from 'node:assert/strict';
import { test } from 'node:test';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { jsonCodec, offeredSubprotocols, protoCodec, unpack } from '../src/codec.js';
import { closeAction } from '../src/errors.js';
import { tokenTimes } from '../src/jwt.js';
import { LruSet } from '../src/lru.js';
import { ClientFrameSchema, ServerFrameSchema } from '../src/gen/switchboard/client/v1/client_pb.js';
import { jwt } from './fakes.js';

test('JSON uses protobuf canonical JSON: camelCase, int64 strings, bytes base64, defaults omitted', () => {
  const frame = create(ClientFrameSchema, {
    frame: { case: 'publish', value: { requestId: 2, room: 'chat:lobby', id: 'a-1', payload: new TextEncoder().encode('hello'), contentType: 'text/plain', ack: true } },
  });
  assert.equal(jsonCodec.encode(frame), '{"publish":{"requestId":2,"room":"chat:lobby","id":"a-1","payload":"aGVsbG8=","contentType":"text/plain","ack":true}}');
  const sub = create(ClientFrameSchema, { frame: { case: 'subscribe', value: { requestId: 5, room: 'r', resumeFrom: { from: { case: 'nextPosition', value: 43n }, epoch: 'e:5' } } } });
  assert.deepEqual(JSON.parse(jsonCodec.encode(sub) as string), { subscribe: { requestId: 5, room: 'r', resumeFrom: { nextPosition: '43', epoch: 'e:5' } } });
});

test('JSON decodes server frames (enum names, timestamps, unknown fields tolerated)', () => {
  const f = jsonCodec.decode('{"error":{"requestId":3,"code":"INVALID_ROOM","message":"m","room":"x","future":1}}');
  assert.equal(f.frame.case, 'error');
  assert.equal(f.frame.value!.requestId, 3);
  const m = jsonCodec.decode('{"message":{"room":"r","position":"42","payload":"aGk=","timestamp":"2026-11-25T21:30:00.350Z"}}');
  assert.equal(m.frame.case === 'message' && m.frame.value.position, 42n);
});

test('frames of a later v1 gateway (protocol.md section 12): unknown keys and frame types are read, not refused', () => {
  const unknownType = jsonCodec.decode('{"futureFrame":{"requestId":1}}');
  assert.equal(unknownType.frame.case, undefined);
  const m = jsonCodec.decode('{"message":{"room":"r","position":"7","payload":"aGk=","futureField":{"a":[1,2]}}}');
  assert.equal(m.frame.case === 'message' && m.frame.value.position, 7n);
});

test('batches (protocol.md section 13) decode in both encodings and unpack to their frames in order', () => {
  // What the gateway writes: the frames' own JSON joined inside {"batch":{"frames":[...]}}.
  const json = jsonCodec.decode('{"batch":{"frames":[{"message":{"room":"r","position":"1","payload":"YQ=="}},{"ack":{"requestId":4,"room":"r","position":"2"}},{"message":{"room":"r","position":"3"}}]}}');
  const frames = unpack(json);
  assert.deepEqual(frames.map((f) => f.frame.case), ['message', 'ack', 'message']);
  assert.equal(frames[2]!.frame.case === 'message' && frames[2]!.frame.value.position, 3n);
  // Binary: ServerFrame field 14 repeating the serialized frames in its field 1.
  const batch = create(ServerFrameSchema, { frame: { case: 'batch', value: { frames: frames } } });
  assert.deepEqual(unpack(protoCodec.decode(toBinary(ServerFrameSchema, batch))), frames);
  // A frame that is not a batch is its own only frame.
  const pong = create(ServerFrameSchema, { frame: { case: 'pong', value: { nonce: 1n } } });
  assert.deepEqual(unpack(pong), [pong]);
  assert.deepEqual(offeredSubprotocols('proto', true), ['switchboard.v1.proto+batch', 'switchboard.v1.proto']);
  assert.deepEqual(offeredSubprotocols('json', false), ['switchboard.v1.json']);
});

test('binary round-trips through the generated schema', () => {
  const frame = create(ClientFrameSchema, { frame: { case: 'ping', value: { nonce: 7n } } });
  const bytes = protoCodec.encode(frame) as Uint8Array;
  assert.deepEqual(fromBinary(ClientFrameSchema, bytes), frame);
  const server = toBinary(ServerFrameSchema, create(ServerFrameSchema, { frame: { case: 'pong', value: { nonce: 7n } } }));
  const decoded = protoCodec.decode(server.buffer.slice(server.byteOffset, server.byteOffset + server.byteLength));
  assert.equal(decoded.frame.case === 'pong' && decoded.frame.value.nonce, 7n);
  assert.throws(() => protoCodec.decode('text'), /binary frame/);
});

test('close codes map to actions', () => {
  assert.equal(closeAction(3501), 'refresh-token');
  assert.equal(closeAction(1012), 'reconnect');
  assert.equal(closeAction(1002), 'close');
});

test('token times come from the JWT payload', () => {
  assert.deepEqual(tokenTimes(jwt({ exp: 100, iat: 40 })), { expiresAtMs: 100_000, issuedAtMs: 40_000 });
  assert.equal(tokenTimes('not-a-jwt'), undefined);
  assert.equal(tokenTimes(jwt({ sub: 'x' })), undefined);
});

test('the LRU forgets the oldest id', () => {
  const lru = new LruSet(2);
  assert.equal(lru.add('a'), true);
  assert.equal(lru.add('a'), false);
  lru.add('b');
  lru.add('c');
  assert.equal(lru.has('a'), false);
  assert.equal(lru.size, 2);
});
