import { create, fromBinary, fromJsonString, toBinary, toJsonString, type MessageInitShape } from '@bufbuild/protobuf';
import { ClientFrameSchema, ServerFrameSchema, type ClientFrame, type ServerFrame } from './gen/switchboard/client/v1/client_pb.js';

/** The wire encoding: "json" is subprotocol switchboard.v1.json (text frames), "proto" is switchboard.v1.proto (binary). */
export type WireFormat = 'json' | 'proto';

export const SUBPROTOCOLS: Record<WireFormat, string> = {
  json: 'switchboard.v1.json',
  proto: 'switchboard.v1.proto',
};

/** The same subprotocols with batching: the server may put several frames in one Batch message (protocol.md section 13). */
export const BATCH_SUBPROTOCOL_SUFFIX = '+batch';

/** What to offer in the handshake, most preferred first: with batching, the batching variant and then the plain one. */
export function offeredSubprotocols(format: WireFormat, batching: boolean): string[] {
  const plain = SUBPROTOCOLS[format];
  return batching ? [plain + BATCH_SUBPROTOCOL_SUFFIX, plain] : [plain];
}

/** The frames one server message carries: the frames of a Batch in order, or the frame itself. */
export function unpack(frame: ServerFrame): ServerFrame[] {
  return frame.frame.case === 'batch' ? frame.frame.value.frames : [frame];
}

/** Encodes client frames and decodes server frames for one subprotocol. Both share the generated schema. */
export interface Codec {
  readonly format: WireFormat;
  encode(frame: ClientFrame): string | Uint8Array;
  /** Decodes one WebSocket message; throws on malformed input. */
  decode(data: unknown): ServerFrame;
}

/** protobuf's canonical JSON: lowerCamelCase names, defaults omitted, int64 as strings, bytes base64, enums by name. */
export const jsonCodec: Codec = {
  format: 'json',
  encode: (frame) => toJsonString(ClientFrameSchema, frame),
  decode: (data) => {
    if (typeof data !== 'string') {
      throw new TypeError(`json subprotocol: expected a text frame, got ${describe(data)}`);
    }
    // Unknown fields are tolerated so that a newer server's additions do not break an older client.
    return fromJsonString(ServerFrameSchema, data, { ignoreUnknownFields: true });
  },
};

export const protoCodec: Codec = {
  format: 'proto',
  encode: (frame) => toBinary(ClientFrameSchema, frame),
  decode: (data) => fromBinary(ServerFrameSchema, toBytes(data)),
};

/** A client frame from its case and value, e.g. clientFrame({ case: 'ping', value: { nonce } }). */
export function clientFrame(frame: MessageInitShape<typeof ClientFrameSchema>['frame']): ClientFrame {
  return create(ClientFrameSchema, { frame });
}

export function codecFor(format: WireFormat): Codec {
  return format === 'json' ? jsonCodec : protoCodec;
}

function toBytes(data: unknown): Uint8Array {
  if (data instanceof Uint8Array) {
    return data;
  }
  if (data instanceof ArrayBuffer) {
    return new Uint8Array(data);
  }
  if (ArrayBuffer.isView(data)) {
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  }
  if (Array.isArray(data) && data.every((d) => d instanceof Uint8Array)) {
    // ws delivers fragmented messages as a Buffer[] when binaryType is "fragments"/"nodebuffer".
    const total = data.reduce((n, d: Uint8Array) => n + d.byteLength, 0);
    const out = new Uint8Array(total);
    let offset = 0;
    for (const d of data as Uint8Array[]) {
      out.set(d, offset);
      offset += d.byteLength;
    }
    return out;
  }
  throw new TypeError(`proto subprotocol: expected a binary frame, got ${describe(data)}`);
}

function describe(data: unknown): string {
  return data === null ? 'null' : typeof data === 'object' ? (data.constructor?.name ?? 'object') : typeof data;
}
