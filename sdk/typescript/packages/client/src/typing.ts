import type { Scheduler, TimerHandle } from './timers.js';
import type { EphemeralEvent } from './types.js';

/** The ephemeral kind of typing indicators. */
export const TYPING_KIND = 'typing';

interface Entry {
  sender: string;
  timer: TimerHandle;
}

/**
 * Who is typing where, from received "typing" ephemeral events. Each (sender, session) entry expires ttl_ms after
 * its last event unless renewed, so an indicator stops even when its sender vanished. Single-threaded (JS).
 */
export class TypingTracker {
  /** room -> "sender/session" -> entry */
  private readonly rooms = new Map<string, Map<string, Entry>>();

  constructor(
    private readonly scheduler: Scheduler,
    private readonly defaultTtlMs: number,
    private readonly onChange: (room: string, users: string[]) => void,
  ) {}

  /** Applies a typing event; events of the client's own user (its other devices) are ignored. */
  apply(event: EphemeralEvent, selfUserId: string | undefined): void {
    if (event.kind !== TYPING_KIND || event.sender === selfUserId) {
      return;
    }
    const key = `${event.sender}/${event.sessionId}`;
    let room = this.rooms.get(event.room);
    const before = this.users(event.room);
    const existing = room?.get(key);
    if (existing) {
      this.scheduler.clearTimeout(existing.timer);
      room!.delete(key);
    }
    if (!event.stop) {
      if (!room) {
        room = new Map();
        this.rooms.set(event.room, room);
      }
      const ttl = event.ttlMs > 0 ? event.ttlMs : this.defaultTtlMs;
      const timer = this.scheduler.setTimeout(() => this.expire(event.room, key), ttl);
      room.set(key, { sender: event.sender, timer });
    }
    this.notifyIfChanged(event.room, before);
  }

  /** The distinct users typing in a room, in the order they started. */
  users(room: string): string[] {
    const entries = this.rooms.get(room);
    if (!entries) {
      return [];
    }
    return [...new Set([...entries.values()].map((e) => e.sender))];
  }

  /** Forgets a room (unsubscribed) and tells listeners when somebody was typing there. */
  clearRoom(room: string): void {
    const entries = this.rooms.get(room);
    if (!entries) {
      return;
    }
    const before = this.users(room);
    for (const e of entries.values()) this.scheduler.clearTimeout(e.timer);
    this.rooms.delete(room);
    this.notifyIfChanged(room, before);
  }

  clearAll(): void {
    for (const room of [...this.rooms.keys()]) this.clearRoom(room);
  }

  private expire(room: string, key: string): void {
    const entries = this.rooms.get(room);
    if (!entries?.has(key)) {
      return;
    }
    const before = this.users(room);
    entries.delete(key);
    if (entries.size === 0) {
      this.rooms.delete(room);
    }
    this.notifyIfChanged(room, before);
  }

  private notifyIfChanged(room: string, before: string[]): void {
    const after = this.users(room);
    if (after.length !== before.length || after.some((u, i) => u !== before[i])) {
      this.onChange(room, after);
    }
  }
}
