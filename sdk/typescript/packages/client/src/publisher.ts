import { clientFrame } from './codec.js';
import type { DirectOptions, PublishOptions } from './options.js';
import type { RequestQueue } from './requests.js';
import type { RandomSource } from './timers.js';
import type { DirectAck, PublishAck } from './types.js';

const TEXT = 'text/plain; charset=utf-8';
const encoder = new TextEncoder();
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * Acknowledged publishes and direct messages. Each gets its idempotency id once, at the call; the request queue
 * holds it while offline and resends it with that id after a reconnect or a retriable error, so the server stores a
 * publish at most once and acknowledges a repeat with the original position. Publishes are pipelined (up to the
 * in-flight window) and a room's go out, and are resent, in call order, so they are stored in that order.
 */
export class Publisher {
  constructor(
    private readonly requests: RequestQueue,
    private readonly publishTimeoutMs: number,
    private readonly random: RandomSource,
    private readonly idGenerator: (() => string) | undefined,
  ) {}

  /** Resolves with the ack once the message is durably stored. */
  publish(room: string, payload: string | Uint8Array, options: PublishOptions): Promise<PublishAck> {
    const id = options.id ?? this.generateId();
    const { bytes, contentType } = encode(payload, options);
    return this.requests
      .submit(
        'publish',
        (requestId) =>
          clientFrame({
            case: 'publish',
            value: {
              requestId,
              room,
              id,
              payload: bytes,
              contentType,
              ack: true,
              traceparent: options.traceparent ?? '',
              conflationKey: options.conflationKey ?? '',
            },
          }),
        options.timeoutMs ?? this.publishTimeoutMs,
        true,
        `publish:${room}`,
      )
      .then((reply) => {
        const ack = reply as { room: string; id: string; position: bigint; epoch: string; duplicate: boolean };
        return { room: ack.room || room, id: ack.id || id, position: ack.position, epoch: ack.epoch, duplicate: ack.duplicate };
      });
  }

  /**
   * A message to every connected device of a user (at most once), or with `stored` into the user's inbox; resolves
   * on the ack. Stored ones to one user go out, and are resent, in call order (one lane per user), so they are
   * stored in that order.
   */
  sendDirect(userId: string, payload: string | Uint8Array, options: DirectOptions): Promise<DirectAck> {
    const id = options.id ?? this.generateId();
    const { bytes, contentType } = encode(payload, options);
    const stored = options.stored === true;
    return this.requests
      .submit(
        'direct',
        (requestId) => clientFrame({ case: 'direct', value: { requestId, userId, id, payload: bytes, contentType, stored } }),
        options.timeoutMs ?? this.publishTimeoutMs,
        true,
        stored ? `direct:${userId}` : undefined,
      )
      .then((reply) => {
        const ack = reply as Partial<{ room: string; position: bigint; epoch: string; duplicate: boolean; devices: number }>;
        const duplicate = ack.duplicate ?? false;
        return stored
          ? { id, duplicate, devices: 0, room: ack.room ?? '', position: ack.position ?? 0n, epoch: ack.epoch ?? '' }
          : { id, duplicate, devices: ack.devices ?? 0 };
      });
  }

  private generateId(): string {
    if (this.idGenerator) {
      return this.idGenerator();
    }
    const crypto = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
    if (crypto?.randomUUID) {
      return crypto.randomUUID(); // browsers (secure contexts) and Node >= 19
    }
    let id = '';
    for (let i = 0; i < 22; i++) {
      id += ALPHABET[Math.floor(this.random() * ALPHABET.length)];
    }
    return id;
  }
}

/** The payload's bytes, and its content type: the given one, else text/plain for strings, none for bytes. */
function encode(payload: string | Uint8Array, options: PublishOptions): { bytes: Uint8Array; contentType: string } {
  const bytes = typeof payload === 'string' ? encoder.encode(payload) : payload;
  const contentType = options.contentType ?? (typeof payload === 'string' ? TEXT : '');
  return { bytes, contentType };
}
