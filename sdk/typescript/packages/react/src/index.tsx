import {
  SwitchboardError,
  type ConnectionState,
  type Member,
  type MemberList,
  type PublishAck,
  type PublishOptions,
  type RoomMessage,
  type SwitchboardClient,
} from '@switchboard/client';
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, useSyncExternalStore, type ReactNode } from 'react';

const SwitchboardContext = createContext<SwitchboardClient | null>(null);

/** Makes a client available to the hooks below. The provider does not connect or close it: the application owns it. */
export function SwitchboardProvider(props: { client: SwitchboardClient; children?: ReactNode }): ReactNode {
  return <SwitchboardContext.Provider value={props.client}>{props.children}</SwitchboardContext.Provider>;
}

/** The client of the nearest SwitchboardProvider. */
export function useSwitchboard(): SwitchboardClient {
  const client = useContext(SwitchboardContext);
  if (!client) {
    throw new Error('useSwitchboard: no client (expected: a <SwitchboardProvider client={...}> above this component)');
  }
  return client;
}

/** The connection state, re-rendering on every change. */
export function useConnectionState(): ConnectionState {
  const client = useSwitchboard();
  const subscribe = useCallback((onChange: () => void) => client.on('state', onChange), [client]);
  return useSyncExternalStore(subscribe, () => client.state, () => client.state);
}

// Several components may use one room: the subscription lives while any of them is mounted.
const roomRefs = new WeakMap<SwitchboardClient, Map<string, { count: number; presence: number }>>();

function acquireRoom(client: SwitchboardClient, room: string, presence: boolean): () => void {
  let rooms = roomRefs.get(client);
  if (!rooms) {
    rooms = new Map();
    roomRefs.set(client, rooms);
  }
  const ref = rooms.get(room) ?? { count: 0, presence: 0 };
  rooms.set(room, ref);
  ref.count++;
  if (presence) ref.presence++;
  if (client.state !== 'closed') {
    client.subscribe(room, { presence: ref.presence > 0 }).catch(() => {
      // reported through the client's "error" event
    });
  }
  return () => {
    ref.count--;
    if (presence) ref.presence--;
    if (ref.count === 0) {
      rooms!.delete(room);
      void client.unsubscribe(room);
    }
  };
}

export interface UseRoomOptions {
  /** Messages per loadEarlier() page (default 50). */
  pageSize?: number;
  /** Keep at most this many messages, dropping the oldest (default 1000). */
  maxMessages?: number;
}

export interface UseRoomResult {
  /** The room's messages in position order: pages loaded with loadEarlier, then live ones. */
  messages: RoomMessage[];
  publish: (payload: string | Uint8Array, options?: PublishOptions) => Promise<PublishAck>;
  /** Loads the previous page of history in front of messages; resolves false when there is nothing more. */
  loadEarlier: () => Promise<boolean>;
  hasMore: boolean;
  error?: Error;
}

/** Subscribes to a room while mounted and collects its messages. */
export function useRoom(room: string, options: UseRoomOptions = {}): UseRoomResult {
  const client = useSwitchboard();
  const pageSize = options.pageSize ?? 50;
  const maxMessages = options.maxMessages ?? 1000;
  const [messages, setMessages] = useState<RoomMessage[]>([]);
  const [hasMore, setHasMore] = useState(true);
  const [error, setError] = useState<Error>();
  const pager = useMemo(() => client.historyPager(room, pageSize), [client, room, pageSize]);

  useEffect(() => {
    setMessages([]);
    setHasMore(true);
    const off = client.on('message', (m) => {
      if (m.room === room) setMessages((prev) => trim(merge(prev, [m]), maxMessages, 'start'));
    });
    const release = acquireRoom(client, room, false);
    return () => {
      off();
      release();
    };
  }, [client, room, maxMessages]);

  const publish = useCallback(
    (payload: string | Uint8Array, publishOptions?: PublishOptions) => client.publish(room, payload, publishOptions),
    [client, room],
  );

  const loadEarlier = useCallback(async () => {
    try {
      const page = await pager.loadEarlier();
      setHasMore(pager.hasMore);
      setMessages((prev) => trim(merge(page, prev), maxMessages, 'end'));
      return page.length > 0;
    } catch (e) {
      setError(e instanceof Error ? e : new SwitchboardError(String(e), 'CLOSED', false));
      return false;
    }
  }, [pager, maxMessages]);

  return { messages, publish, loadEarlier, hasMore, error };
}

/** Merges two position-ordered lists, dropping duplicates (same epoch and position). */
function merge(a: RoomMessage[], b: RoomMessage[]): RoomMessage[] {
  const seen = new Set<string>();
  const all = [...a, ...b].filter((m) => {
    const key = `${m.epoch}/${m.position}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  // Within one epoch sort by position; across epochs keep arrival order (positions do not compare).
  return all.every((m) => m.epoch === all[0]!.epoch) ? all.sort((x, y) => (x.position < y.position ? -1 : x.position > y.position ? 1 : 0)) : all;
}

function trim(messages: RoomMessage[], max: number, from: 'start' | 'end'): RoomMessage[] {
  if (messages.length <= max) return messages;
  return from === 'start' ? messages.slice(messages.length - max) : messages.slice(0, max);
}

export interface UsePresenceResult {
  /** The room's members by user id (the first memberListLimit of them in a larger room: see complete). */
  members: Member[];
  users: number;
  connections: number;
  /** False until the list is loaded, and while the room has more members than the client lists. */
  complete: boolean;
}

const EMPTY_MEMBERS: UsePresenceResult = { members: [], users: 0, connections: 0, complete: false };

/**
 * Subscribes with presence while mounted and renders the client's member list of the room, which the client keeps
 * right by the versioning rule (read on every subscription, moved by presence events, read again on a gap or a
 * presence-service restart: docs/protocol.md section 11.1).
 */
export function usePresence(room: string): UsePresenceResult {
  const client = useSwitchboard();
  const [state, setState] = useState<UsePresenceResult>(EMPTY_MEMBERS);

  useEffect(() => {
    const show = (list: MemberList | undefined) =>
      setState(list ? { members: list.members, users: list.users, connections: list.connections, complete: list.complete } : EMPTY_MEMBERS);
    const off = client.on('members', (list) => {
      if (list.room === room) show(list);
    });
    const release = acquireRoom(client, room, true);
    show(client.members(room));
    return () => {
      off();
      release();
    };
  }, [client, room]);

  return state;
}

export interface UseTypingResult {
  /** Users typing in the room (own user excluded); entries expire by themselves. */
  typingUsers: string[];
  /** Call with true on each keystroke and false when the message is sent or the input cleared. */
  setTyping: (typing: boolean) => void;
}

/** Who is typing in a room, and a setter for this user's own indicator (subscribes to the room while mounted). */
export function useTyping(room: string): UseTypingResult {
  const client = useSwitchboard();
  const [typingUsers, setTypingUsers] = useState<string[]>(() => client.typingUsers(room));
  const roomRef = useRef(room);
  roomRef.current = room;

  useEffect(() => {
    setTypingUsers(client.typingUsers(room));
    const off = client.on('typing', (change) => {
      if (change.room === room) setTypingUsers(change.users);
    });
    // typing events reach subscribers only
    const release = acquireRoom(client, room, false);
    return () => {
      off();
      client.setTyping(room, false);
      release();
    };
  }, [client, room]);

  const setTyping = useCallback((typing: boolean) => client.setTyping(roomRef.current, typing), [client]);
  return { typingUsers, setTyping };
}
