import type { Scheduler, TimerHandle } from './timers.js';

/** Sends one typing ephemeral to a room (`stop` ends it); dropped while offline or not subscribed. */
export type TypingSend = (room: string, stop: boolean) => void;

/**
 * This user's typing indicators: "typing" at the first keystroke, renewed every `renewMs` while keystrokes keep
 * coming (receivers expire it after its ttl), and stop after `idleMs` without one or when told. Never queued: an
 * indicator lost offline is simply not shown. Single-threaded like the client.
 */
export class TypingSender {
  private readonly rooms = new Map<string, { lastActivity: number; timer: TimerHandle }>();

  constructor(
    private readonly scheduler: Scheduler,
    private readonly renewMs: number,
    private readonly idleMs: number,
    private readonly send: TypingSend,
  ) {}

  /** A keystroke (true) or the end of typing (false) in a room. */
  set(room: string, typing: boolean): void {
    const entry = this.rooms.get(room);
    if (!typing) {
      if (entry) {
        this.stopLocally(room);
        this.send(room, true);
      }
      return;
    }
    const now = this.scheduler.now();
    if (entry) {
      entry.lastActivity = now;
      return;
    }
    this.send(room, false);
    this.rooms.set(room, { lastActivity: now, timer: this.scheduler.setTimeout(() => this.renew(room), this.renewMs) });
  }

  /** Forgets a room without telling anyone (unsubscribed: the server ends its indicators). */
  stopLocally(room: string): void {
    const entry = this.rooms.get(room);
    if (entry) {
      this.scheduler.clearTimeout(entry.timer);
      this.rooms.delete(room);
    }
  }

  /** The connection is gone: every indicator ends there, and the next keystroke starts a new one. */
  stopAllLocally(): void {
    for (const room of [...this.rooms.keys()]) this.stopLocally(room);
  }

  private renew(room: string): void {
    const entry = this.rooms.get(room);
    if (!entry) return;
    if (this.scheduler.now() - entry.lastActivity >= this.idleMs) {
      this.set(room, false);
      return;
    }
    this.send(room, false);
    entry.timer = this.scheduler.setTimeout(() => this.renew(room), this.renewMs);
  }
}
