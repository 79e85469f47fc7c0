import { create, fromJsonString, toJsonString, type MessageInitShape } from '@bufbuild/protobuf';
import { ClientFrameSchema, ServerFrameSchema, type ClientFrame } from '../src/gen/switchboard/client/v1/client_pb.js';
import type { Scheduler, TimerHandle } from '../src/timers.js';
import type { WebSocketLike } from '../src/client.js';
import type { SwitchboardClientOptions } from '../src/options.js';

/** A deterministic clock and timer queue: time moves only in advance(). */
export class FakeScheduler implements Scheduler {
  private time = 1_700_000_000_000;
  private seq = 0;
  private readonly timers = new Map<number, { due: number; callback: () => void }>();

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, delayMs: number): TimerHandle {
    const id = ++this.seq;
    this.timers.set(id, { due: this.time + Math.max(0, delayMs), callback });
    return id;
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers.delete(handle as number);
  }

  get pending(): number {
    return this.timers.size;
  }

  /** Moves time forward, firing due timers in order and letting promises settle after each. */
  async advance(ms: number): Promise<void> {
    const target = this.time + ms;
    for (;;) {
      let nextId: number | undefined;
      let nextDue = Infinity;
      for (const [id, t] of this.timers) {
        if (t.due <= target && (t.due < nextDue || (t.due === nextDue && id < nextId!))) {
          nextId = id;
          nextDue = t.due;
        }
      }
      if (nextId === undefined) break;
      const timer = this.timers.get(nextId)!;
      this.timers.delete(nextId);
      this.time = timer.due;
      timer.callback();
      await flush();
    }
    this.time = target;
    await flush();
  }
}

export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Completes the handshake of the socket the client just opened, as a gateway that stores direct messages: Connected
 * names the inbox (none: `inbox` '') and its epoch.
 */
export async function acceptWithInbox(userId = 'alice', inbox = `inbox:${userId}`): Promise<FakeWebSocket> {
  await flush();
  const ws = FakeWebSocket.last();
  ws.open();
  ws.receive({ case: 'connected', value: { sessionId: `session-${FakeWebSocket.instances.length}`, userId, inbox, inboxEpoch: 'ie' } });
  await flush();
  return ws;
}

/**
 * A client's options for the fake gateway: JSON over {@link FakeWebSocket} (never the HTTP fallback, whose switch has
 * tests of its own), timers on `sched` and a fixed backoff jitter. The caller adds the token provider.
 */
export function fakeGatewayOptions(sched: FakeScheduler): Omit<SwitchboardClientOptions, 'token'> {
  return {
    url: 'ws://gateway/ws',
    format: 'json',
    WebSocket: FakeWebSocket,
    httpFallback: 'never',
    scheduler: sched,
    random: () => 0.5,
  };
}

type ServerInit = MessageInitShape<typeof ServerFrameSchema>['frame'];

/** A WebSocket whose server side is the test: it records client frames and injects server frames (JSON subprotocol). */
export class FakeWebSocket implements WebSocketLike {
  static instances: FakeWebSocket[] = [];
  protocol = '';
  binaryType = 'blob';
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  readonly sent: ClientFrame[] = [];
  closedByClient?: number;

  constructor(
    readonly url: string,
    readonly protocols: string[],
  ) {
    FakeWebSocket.instances.push(this);
  }

  static last(): FakeWebSocket {
    const ws = FakeWebSocket.instances[FakeWebSocket.instances.length - 1];
    if (!ws) throw new Error('no socket opened');
    return ws;
  }

  send(data: string | Uint8Array): void {
    this.sent.push(fromJsonString(ClientFrameSchema, data as string));
  }

  close(code?: number): void {
    this.closedByClient = code ?? 1000;
  }

  open(): void {
    this.protocol = this.protocols[0]!;
    this.onopen?.({});
  }

  receive(frame: ServerInit): void {
    this.onmessage?.({ data: toJsonString(ServerFrameSchema, create(ServerFrameSchema, { frame })) });
  }

  serverClose(code: number, reason = ''): void {
    this.onclose?.({ code, reason });
  }

  /** Client frames of one kind, in send order. */
  frames<K extends NonNullable<ClientFrame['frame']['case']>>(kind: K): Array<Extract<ClientFrame['frame'], { case: K }>['value']> {
    return this.sent.filter((f) => f.frame.case === kind).map((f) => f.frame.value) as never;
  }
}

export function jwt(claims: Record<string, unknown>): string {
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${b64({ alg: 'HS256' })}.${b64(claims)}.sig`;
}

/** Random numbers from a script, repeating the last one. */
export function scripted(...values: number[]): () => number {
  let i = 0;
  return () => values[Math.min(i++, values.length - 1)]!;
}
