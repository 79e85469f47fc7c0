import { clientFrame } from './codec.js';
import type { Connection, Link } from './connection.js';
import { HistoryDirection, type ClientFrame } from './gen/switchboard/client/v1/client_pb.js';
import type { HistoryOptions } from './options.js';
import type { RequestIds, RequestQueue } from './requests.js';
import { statusValue, toHistoryPage, toPresencePage, type HistoryPage, type PresencePage, type PresenceStatusName } from './types.js';

export interface QueriesDeps {
  readonly link: Link;
  readonly requests: RequestQueue;
  readonly ids: RequestIds;
  readonly requestTimeoutMs: number;
  /** Throws when the client is closed (a rejection of the call's promise). */
  ensureOpen(): void;
}

/**
 * Requests to the history and presence services: history pages, member list pages, and this user's status, which
 * is set again on every new connection (a reconnect, another gateway, a restarted presence service).
 */
export class Queries {
  /** The last status set. */
  private desiredStatus?: { status: PresenceStatusName; text: string };

  constructor(private readonly deps: QueriesDeps) {}

  async history(room: string, options: HistoryOptions): Promise<HistoryPage> {
    this.deps.ensureOpen();
    const direction =
      options.direction === 'before'
        ? HistoryDirection.BEFORE
        : options.direction === 'after'
          ? HistoryDirection.AFTER
          : HistoryDirection.LATEST;
    const reply = await this.deps.requests.submit(
      'history',
      (requestId) =>
        clientFrame({
          case: 'history',
          value: { requestId, room, direction, position: options.position ?? 0n, epoch: options.epoch ?? '', limit: options.limit ?? 0 },
        }),
      this.deps.requestTimeoutMs,
      true,
    );
    return toHistoryPage(reply as Parameters<typeof toHistoryPage>[0]);
  }

  async setStatus(status: PresenceStatusName, text: string): Promise<void> {
    this.deps.ensureOpen();
    const value = statusValue(status);
    this.desiredStatus = { status, text };
    await this.deps.requests.submit('status', (requestId) => statusFrame(requestId, value, text), this.deps.requestTimeoutMs, true);
  }

  /** A new connection: the last status set is set again (answered by an Ack nobody waits for; an Error is reported). */
  restoreStatus(conn: Connection): void {
    if (this.desiredStatus) {
      const { status, text } = this.desiredStatus;
      this.deps.link.send(conn, statusFrame(this.deps.ids.next(), statusValue(status), text));
    }
  }

  /** One page of a room's members; kept across reconnects like any request. */
  async presenceQuery(room: string, options: { afterUser?: string; limit?: number }): Promise<PresencePage> {
    this.deps.ensureOpen();
    const reply = await this.deps.requests.submit(
      'presence',
      presenceFrame(room, options.afterUser ?? '', options.limit ?? 0),
      this.deps.requestTimeoutMs,
      true,
    );
    return toPresencePage(reply as Parameters<typeof toPresencePage>[0]);
  }

  /** A member list read: bound to its connection (a lost one resubscribes, and its Subscribed reads again). */
  async readMembers(room: string, limit: number): Promise<PresencePage> {
    const reply = await this.deps.requests.submit('presence', presenceFrame(room, '', limit), this.deps.requestTimeoutMs, false);
    return toPresencePage(reply as Parameters<typeof toPresencePage>[0]);
  }
}

function presenceFrame(room: string, afterUser: string, limit: number): (requestId: number) => ClientFrame {
  return (requestId) => clientFrame({ case: 'presence', value: { requestId, room, afterUser, limit } });
}

function statusFrame(requestId: number, status: ReturnType<typeof statusValue>, text: string): ClientFrame {
  return clientFrame({ case: 'setStatus', value: { requestId, status, text } });
}
