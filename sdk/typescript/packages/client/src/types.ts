import { timestampDate, type Timestamp } from '@bufbuild/protobuf/wkt';
import {
  PresenceStatus,
  RecoveryFailure,
  type EphemeralEvent as EphemeralEventPb,
  type HistoryPage as HistoryPagePb,
  type Member as MemberPb,
  type Message as MessagePb,
  type PresenceEvent as PresenceEventPb,
  type PresencePage as PresencePagePb,
  type UserMessage as UserMessagePb,
} from './gen/switchboard/client/v1/client_pb.js';

/**
 * connecting: first attempt after connect(); connected: the server sent Connected; reconnecting: the link was
 * lost and the client is waiting out a backoff or retrying; disconnected: not started (before connect());
 * closed: stopped, by close() or by a close code that forbids reconnecting (see {@link StateChange.code}).
 */
export type ConnectionState = 'disconnected' | 'connecting' | 'connected' | 'reconnecting' | 'closed';

export interface StateChange {
  state: ConnectionState;
  previous: ConnectionState;
  /** The WebSocket close code that caused the change, when one did. */
  code?: number;
  reason?: string;
  /** For reconnecting: the delay before the next attempt. */
  delayMs?: number;
}

/** A stored message of a room, live or replayed. Positions compare only within one room and epoch. */
export interface RoomMessage {
  room: string;
  position: bigint;
  epoch: string;
  /** The publisher's idempotency id. */
  id: string;
  sender: string;
  payload: Uint8Array;
  contentType: string;
  timestamp?: Date;
  /** The publisher's conflation key (PublishOptions.conflationKey); absent when it gave none. */
  conflationKey?: string;
}

export interface PublishAck {
  room: string;
  id: string;
  position: bigint;
  epoch: string;
  /** True when this id had been stored before (a retry); position is the original one. */
  duplicate: boolean;
}

/** The ack of sendDirect(). */
export interface DirectAck {
  id: string;
  /** True when this id had been sent (or stored) before: a retry, not delivered or stored again. */
  duplicate: boolean;
  /** Not stored: the user's connected devices it went to (0: offline). Stored: 0. */
  devices: number;
  /** Stored only: the user's inbox room, and the message's position and epoch there. */
  room?: string;
  position?: bigint;
  epoch?: string;
}

export type RecoveryFailureName = 'POSITION_EXPIRED' | 'EPOCH_CHANGED' | 'TOO_FAR_BEHIND' | 'HISTORY_DISABLED';

/** The outcome of a (re)subscription. After a resume with recovered false, reload the room (e.g. with history). */
export interface SubscribedEvent {
  room: string;
  epoch: string;
  nextPosition: bigint;
  /** True when the subscribe carried resumeFrom (a reconnect of a room that had a known position). */
  resumed: boolean;
  recovered: boolean;
  recoveryFailure?: RecoveryFailureName;
  replayed: number;
  /**
   * True when a backend subscribed this user (SubscribeUser in the server API) rather than this client: the
   * client now holds the room like one it subscribed itself (listed by subscriptions(), resumed after a
   * reconnect, which then needs a grant of its own; see docs/security.md).
   */
  serverSide: boolean;
}

/**
 * The server ended a subscription, with the reason: "ROOM_CLOSED" (a backend closed the room),
 * "PERMISSION_REVOKED" (a refreshed token no longer grants it) or "SERVER_UNSUBSCRIBED" (a backend ended this
 * user's subscription); message is the text for humans.
 */
export interface UnsubscribedEvent {
  room: string;
  reason: string;
  message: string;
}

export type PresenceStatusName = 'online' | 'away' | 'busy' | 'offline';

export interface Member {
  userId: string;
  status: PresenceStatusName;
  statusText: string;
  /** Connections of this user subscribed to the room. */
  devices: number;
}

/**
 * A batched change of a room's members; summary events carry counts only. It moves the room from `fromVersion` to
 * `version` within `epoch` (docs/protocol.md section 11.1); the client's member lists ({@link MemberList}) apply
 * it by that rule.
 */
export interface PresenceChange {
  room: string;
  joined: Member[];
  left: string[];
  updated: Member[];
  users: number;
  connections: number;
  summary: boolean;
  joinedCount: number;
  leftCount: number;
  timestamp?: Date;
  version: bigint;
  fromVersion: bigint;
  /** The presence service's run; empty from a server without versioned presence. */
  epoch: string;
}

export interface PresencePage {
  room: string;
  members: Member[];
  hasMore: boolean;
  nextAfterUser: string;
  users: number;
  connections: number;
  /** The room's presence version this page shows (0: no members yet). */
  version: bigint;
  epoch: string;
}

/**
 * A room's member list as the client keeps it for a subscription with presence: read once per (re)subscription,
 * then moved by presence events, read again on a gap or a new epoch (docs/protocol.md section 11.1).
 */
export interface MemberList {
  room: string;
  /** By user id, ascending. */
  members: Member[];
  users: number;
  connections: number;
  /**
   * False when the room has more members than the client lists (`memberListLimit`, e.g. a large room that only
   * sends summaries): then `members` is the first part of the list as last read, while `users` and `connections`
   * stay exact. Also false before the first page arrived.
   */
  complete: boolean;
  /** True once a page arrived. */
  loaded: boolean;
  version: bigint;
  epoch: string;
}
/** The users currently typing in a room (the client's own user excluded), after a change. */
export interface TypingChange {
  room: string;
  users: string[];
}

export interface EphemeralEvent {
  room: string;
  kind: string;
  sender: string;
  sessionId: string;
  payload: Uint8Array;
  contentType: string;
  stop: boolean;
  ttlMs: number;
  timestamp?: Date;
}

/** A direct message to this user (from another user or a backend, "service:<name>"). */
export interface UserMessage {
  id: string;
  sender: string;
  payload: Uint8Array;
  contentType: string;
  timestamp?: Date;
}

export interface HistoryPage {
  room: string;
  epoch: string;
  /** Ascending position order whatever the direction. */
  messages: RoomMessage[];
  hasMore: boolean;
}

export type HistoryDirectionName = 'latest' | 'before' | 'after';

function date(ts: Timestamp | undefined): Date | undefined {
  return ts ? timestampDate(ts) : undefined;
}

export function toRoomMessage(m: MessagePb): RoomMessage {
  return {
    room: m.room,
    position: m.position,
    epoch: m.epoch,
    id: m.id,
    sender: m.sender,
    payload: m.payload,
    contentType: m.contentType,
    timestamp: date(m.timestamp),
    ...(m.conflationKey ? { conflationKey: m.conflationKey } : {}),
  };
}

export function statusName(s: PresenceStatus): PresenceStatusName {
  switch (s) {
    case PresenceStatus.AWAY:
      return 'away';
    case PresenceStatus.BUSY:
      return 'busy';
    case PresenceStatus.OFFLINE:
      return 'offline';
    default:
      return 'online';
  }
}

export function statusValue(s: PresenceStatusName): PresenceStatus {
  switch (s) {
    case 'away':
      return PresenceStatus.AWAY;
    case 'busy':
      return PresenceStatus.BUSY;
    case 'online':
      return PresenceStatus.ONLINE;
    default:
      throw new RangeError(`status: ${s} (expected: online, away or busy)`);
  }
}

export function recoveryFailureName(f: RecoveryFailure): RecoveryFailureName | undefined {
  switch (f) {
    case RecoveryFailure.POSITION_EXPIRED:
      return 'POSITION_EXPIRED';
    case RecoveryFailure.EPOCH_CHANGED:
      return 'EPOCH_CHANGED';
    case RecoveryFailure.TOO_FAR_BEHIND:
      return 'TOO_FAR_BEHIND';
    case RecoveryFailure.HISTORY_DISABLED:
      return 'HISTORY_DISABLED';
    default:
      return undefined;
  }
}

export function toMember(m: MemberPb): Member {
  return { userId: m.userId, status: statusName(m.status), statusText: m.statusText, devices: m.devices };
}

export function toPresenceChange(e: PresenceEventPb): PresenceChange {
  return {
    room: e.room,
    joined: e.joined.map(toMember),
    left: [...e.left],
    updated: e.updated.map(toMember),
    users: Number(e.users),
    connections: Number(e.connections),
    summary: e.summary,
    joinedCount: Number(e.joinedTotal),
    leftCount: Number(e.leftTotal),
    timestamp: date(e.timestamp),
    version: e.version,
    fromVersion: e.fromVersion,
    epoch: e.epoch,
  };
}

export function toPresencePage(p: PresencePagePb): PresencePage {
  return {
    room: p.room,
    members: p.members.map(toMember),
    hasMore: p.hasMore,
    nextAfterUser: p.nextAfterUser,
    users: Number(p.users),
    connections: Number(p.connections),
    version: p.version,
    epoch: p.epoch,
  };
}

export function toEphemeral(e: EphemeralEventPb): EphemeralEvent {
  return {
    room: e.room,
    kind: e.kind,
    sender: e.sender,
    sessionId: e.sessionId,
    payload: e.payload,
    contentType: e.contentType,
    stop: e.stop,
    ttlMs: e.ttlMs,
    timestamp: date(e.timestamp),
  };
}

export function toUserMessage(u: UserMessagePb): UserMessage {
  return { id: u.id, sender: u.sender, payload: u.payload, contentType: u.contentType, timestamp: date(u.timestamp) };
}

export function toHistoryPage(p: HistoryPagePb): HistoryPage {
  return { room: p.room, epoch: p.epoch, messages: p.messages.map(toRoomMessage), hasMore: p.hasMore };
}

/**
 * Applies a presence change to a member list keyed by user id (summary changes leave names untouched). It does not
 * check versions: keep lists with the client's {@link MemberList} ('members' events) instead, which does.
 */
export function applyPresenceChange(members: Map<string, Member>, change: PresenceChange): Map<string, Member> {
  const next = new Map(members);
  for (const m of change.joined) next.set(m.userId, m);
  for (const m of change.updated) next.set(m.userId, m);
  for (const u of change.left) next.delete(u);
  return next;
}

const decoder = new TextDecoder();

/** The payload as UTF-8 text. */
export function textOf(message: { payload: Uint8Array }): string {
  return decoder.decode(message.payload);
}
