import { clientFrame } from './codec.js';
import type { Connection, Link } from './connection.js';
import type { Emitter } from './emitter.js';
import { codeName, SwitchboardError } from './errors.js';
import type { Subscribed, Unsubscribed } from './gen/switchboard/client/v1/client_pb.js';
import { LruSet } from './lru.js';
import type { ClientEvents, SubscribeOptions } from './options.js';
import { MemberListTracker } from './presence.js';
import type { RequestIds } from './requests.js';
import { ResumePosition } from './resume-position.js';
import type { Scheduler, TimerHandle } from './timers.js';
import { recoveryFailureName, type MemberList, type PresenceChange, type PresencePage, type RoomMessage, type SubscribedEvent } from './types.js';

interface RoomState {
  readonly room: string;
  presence: boolean;
  /** The member list, for rooms subscribed with presence. */
  members?: MemberListTracker;
  /** Subscribed on the current connection. */
  active: boolean;
  readonly position: ResumePosition;
  retries: number;
  retryTimer?: TimerHandle;
  waiters: Array<{ resolve: (e: SubscribedEvent) => void; reject: (e: SwitchboardError) => void }>;
}

export interface RoomSubscriptionsDeps {
  readonly link: Link;
  readonly ids: RequestIds;
  readonly scheduler: Scheduler;
  readonly events: Pick<Emitter<ClientEvents>, 'emit'>;
  /** Message ids remembered (room, sender, id) to drop duplicates. */
  readonly dedupCapacity: number;
  readonly memberListLimit: number;
  /** The delay before retry number `attempt` (0, 1, ...) of a refused subscribe or a member list read. */
  retryDelay(attempt: number): number;
  /** Reads the first `limit` members of a room on the current connection. */
  readMembers(room: string, limit: number): Promise<PresencePage>;
  /** A room was left (unsubscribed, or ended by the server): whatever else is kept per room goes too. */
  onRoomLeft(room: string): void;
}

/**
 * The rooms the client holds, on this connection and across reconnects: Subscribe frames with a resume point after
 * every reconnect (never turned into a plain subscribe), retries of refused ones, the resume position advanced by
 * delivered messages, duplicates dropped by position and by (room, sender, id), subscriptions a backend added or
 * ended, and each presence room's member list. Emits 'subscribed', 'unsubscribed', 'message', 'members' and
 * subscription 'error' events. Single-threaded like the client.
 */
export class RoomSubscriptions {
  private readonly rooms = new Map<string, RoomState>();
  private readonly dedup: LruSet;
  /** requestId -> room of the Subscribe frames in flight on the current connection. */
  private readonly subscribes = new Map<number, { room: string; resumed: boolean }>();
  /** requestId -> waiter of the Unsubscribe frames in flight on the current connection. */
  private readonly unsubscribes = new Map<number, () => void>();

  constructor(private readonly deps: RoomSubscriptionsDeps) {
    this.dedup = new LruSet(deps.dedupCapacity);
  }

  /** Subscribes (idempotent); resolves on the first Subscribed, which comes once connected. */
  subscribe(room: string, options: SubscribeOptions): Promise<SubscribedEvent> {
    const conn = this.deps.link.current;
    const existing = this.rooms.get(room);
    if (existing) {
      if (options.presence && !existing.presence) {
        existing.presence = true;
        existing.members = this.memberList(room);
        // A plain Subscribe on a subscribed room is harmless and turns on presence events; its Subscribed reads the list.
        if (existing.active && conn?.connected) {
          this.sendSubscribe(conn, existing, false);
        }
      }
      const epoch = existing.position.epoch;
      if (existing.active && epoch !== undefined) {
        return Promise.resolve({
          room,
          epoch,
          nextPosition: existing.position.nextPosition ?? 0n,
          resumed: false,
          recovered: false,
          replayed: 0,
          serverSide: false,
        });
      }
      return new Promise((resolve, reject) => existing.waiters.push({ resolve, reject }));
    }
    const state = this.newRoom(room, !!options.presence);
    if (options.resumeFrom) {
      state.position.startAt(options.resumeFrom.epoch, options.resumeFrom.nextPosition);
    }
    const promise = new Promise<SubscribedEvent>((resolve, reject) => state.waiters.push({ resolve, reject }));
    if (conn?.connected) {
      this.sendSubscribe(conn, state, true);
    }
    return promise;
  }

  /** Forgets a room and its position; resolves when the server confirmed (or at once offline). */
  unsubscribe(room: string): Promise<void> {
    this.forget(room, (state) => new SwitchboardError(`unsubscribed from ${room}`, 'CLOSED', false, state.room));
    const conn = this.deps.link.current;
    if (!conn?.connected) {
      return Promise.resolve();
    }
    const requestId = this.deps.ids.next();
    return new Promise<void>((resolve) => {
      this.unsubscribes.set(requestId, resolve);
      this.deps.link.send(conn, clientFrame({ case: 'unsubscribe', value: { requestId, room } }));
    });
  }

  /** Rooms held (subscribed, or to subscribe once connected). */
  list(): string[] {
    return [...this.rooms.keys()];
  }

  resumePoint(room: string): { epoch: string; nextPosition: bigint } | undefined {
    return this.rooms.get(room)?.position.point;
  }

  members(room: string): MemberList | undefined {
    return this.rooms.get(room)?.members?.list;
  }

  /** True when the room is subscribed on the current connection. */
  isActive(room: string): boolean {
    return this.rooms.get(room)?.active === true;
  }

  /** A new connection: every room is subscribed again, resuming where it was. */
  resubscribeAll(conn: Connection): void {
    for (const state of this.rooms.values()) {
      this.sendSubscribe(conn, state, true);
    }
  }

  onSubscribed(s: Subscribed): void {
    const request = this.subscribes.get(s.requestId);
    this.subscribes.delete(s.requestId);
    if (s.serverSide && s.requestId === 0 && !this.rooms.has(s.room)) {
      // A backend subscribed this connection: hold the room from now on as if subscribe() had asked for it.
      this.newRoom(s.room, s.presence);
    }
    const state = this.rooms.get(s.room);
    if (!state) {
      return; // unsubscribed meanwhile
    }
    state.position.subscribed(s.epoch, s.nextPosition, s.replayed);
    state.active = true;
    state.retries = 0;
    const event: SubscribedEvent = {
      room: s.room,
      epoch: s.epoch,
      nextPosition: s.nextPosition,
      resumed: request?.resumed ?? false,
      recovered: s.recovered,
      recoveryFailure: recoveryFailureName(s.recoveryFailure),
      replayed: s.replayed,
      serverSide: s.serverSide,
    };
    state.waiters.splice(0).forEach((w) => w.resolve(event));
    this.deps.events.emit('subscribed', event);
    // Events may have been missed while not subscribed: the list is read again on every (re)subscription.
    state.members?.reload();
  }

  /** An Unsubscribed: the answer to unsubscribe(), or (request id 0) the server ended the subscription for good. */
  onUnsubscribed(u: Unsubscribed): void {
    const resolve = this.unsubscribes.get(u.requestId);
    if (resolve) {
      this.unsubscribes.delete(u.requestId);
      resolve();
    } else if (u.requestId === 0) {
      // ROOM_CLOSED, PERMISSION_REVOKED, SERVER_UNSUBSCRIBED
      const reason = codeName(u.reason);
      this.forget(u.room, (state) => new SwitchboardError(`${state.room}: ${reason} ${u.message}`, u.reason, false, state.room));
      this.deps.events.emit('unsubscribed', { room: u.room, reason, message: u.message });
    }
  }

  onMessage(message: RoomMessage): void {
    const state = this.rooms.get(message.room);
    if (!state) {
      return; // not (or no longer) subscribed
    }
    if (!state.position.admits(message.epoch, message.position)) {
      return; // already processed (position dedup)
    }
    if (!this.dedup.add(`${message.room}\u0000${message.sender}\u0000${message.id}`)) {
      return; // the same (sender, id) delivered before, e.g. under another epoch
    }
    state.position.processed(message.position);
    this.deps.events.emit('message', message);
  }

  onPresence(change: PresenceChange): void {
    this.rooms.get(change.room)?.members?.onEvent(change);
  }

  /**
   * An Error frame answering a Subscribe: a retriable one (e.g. RECOVERY_UNAVAILABLE) sends the same resuming
   * Subscribe again after a backoff, any other forgets the room. Both are reported. False when it answers no Subscribe.
   */
  onError(conn: Connection, requestId: number, error: SwitchboardError): boolean {
    const subscribe = this.subscribes.get(requestId);
    if (!subscribe) {
      return false;
    }
    this.subscribes.delete(requestId);
    const room = subscribe.room;
    const state = this.rooms.get(room);
    if (!state) {
      return true;
    }
    if (error.retriable) {
      const delay = this.deps.retryDelay(state.retries++);
      state.retryTimer = this.deps.scheduler.setTimeout(() => {
        state.retryTimer = undefined;
        if (conn === this.deps.link.current && this.rooms.get(room) === state && !state.active) {
          this.sendSubscribe(conn, state, true);
        }
      }, delay);
      this.deps.events.emit('error', error);
      return true;
    }
    this.rooms.delete(room);
    state.members?.stop();
    state.waiters.splice(0).forEach((w) => w.reject(error));
    this.deps.events.emit('error', error);
    return true;
  }

  /** The connection is gone: pending unsubscribes count as done, every room waits to be subscribed again. */
  connectionLost(): void {
    this.unsubscribes.forEach((resolve) => resolve());
    this.unsubscribes.clear();
    this.subscribes.clear();
    for (const state of this.rooms.values()) {
      state.active = false;
      this.clearRetry(state);
    }
  }

  /** The client closed: every room is forgotten and its waiters reject with `error`. */
  forgetAll(error: SwitchboardError): void {
    for (const state of this.rooms.values()) {
      this.clearRetry(state);
      state.members?.stop();
      state.waiters.splice(0).forEach((w) => w.reject(error));
    }
    this.rooms.clear();
  }

  private newRoom(room: string, presence: boolean): RoomState {
    const state: RoomState = {
      room,
      presence,
      members: presence ? this.memberList(room) : undefined,
      active: false,
      position: new ResumePosition(),
      retries: 0,
      waiters: [],
    };
    this.rooms.set(room, state);
    return state;
  }

  /** Drops a room; its waiters reject with the error made for it. Tells onRoomLeft either way. */
  private forget(room: string, error: (state: RoomState) => SwitchboardError): void {
    const state = this.rooms.get(room);
    if (state) {
      this.rooms.delete(room);
      this.clearRetry(state);
      state.members?.stop();
      state.waiters.splice(0).forEach((w) => w.reject(error(state)));
    }
    this.deps.onRoomLeft(room);
  }

  private sendSubscribe(conn: Connection, state: RoomState, resume: boolean): void {
    const requestId = this.deps.ids.next();
    const point = resume ? state.position.point : undefined;
    const resumeFrom = point ? { from: { case: 'nextPosition' as const, value: point.nextPosition }, epoch: point.epoch } : undefined;
    this.subscribes.set(requestId, { room: state.room, resumed: resumeFrom !== undefined });
    this.deps.link.send(
      conn,
      clientFrame({ case: 'subscribe', value: { requestId, room: state.room, presence: state.presence, resumeFrom } }),
    );
  }

  private memberList(room: string): MemberListTracker {
    return new MemberListTracker(
      room,
      this.deps.memberListLimit,
      {
        read: (limit) => this.deps.readMembers(room, limit),
        subscribed: () => this.deps.link.current?.connected === true && this.rooms.get(room)?.active === true,
        retryDelay: (attempt) => this.deps.retryDelay(attempt),
        scheduler: this.deps.scheduler,
      },
      (list) => this.deps.events.emit('members', list),
    );
  }

  private clearRetry(state: RoomState): void {
    if (state.retryTimer !== undefined) {
      this.deps.scheduler.clearTimeout(state.retryTimer);
      state.retryTimer = undefined;
    }
  }
}
