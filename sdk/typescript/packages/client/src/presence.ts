import type { SwitchboardError } from './errors.js';
import type { Scheduler, TimerHandle } from './timers.js';
import type { Member, MemberList, PresenceChange, PresencePage } from './types.js';

/** What a {@link MemberListTracker} needs from the client. */
export interface MemberListSource {
  /** Reads the first `limit` members of the room (a PresenceQuery on the current connection). */
  read(limit: number): Promise<PresencePage>;
  /** True while the room is subscribed on the current connection, so a failed read may be retried now. */
  subscribed(): boolean;
  /** The delay before retry number `attempt` (0, 1, ...) of a failed read. */
  retryDelay(attempt: number): number;
  scheduler: Scheduler;
}

/** Events a tracker keeps while its read is on the way; more means: read again once it is answered. */
const MAX_BUFFERED = 1000;

/**
 * Keeps one room's member list by the versioning rule of docs/protocol.md section 11.1:
 *
 * - {@link reload} reads a page (on every subscription and resubscription, and on a gap); events that arrive while
 *   it is on the way are buffered, then those after the page's version are applied on top of it;
 * - an event whose `fromVersion` is the version held is applied; one with `version` at or below it is already
 *   contained and skipped; any other (a gap: an event was missed) or a new `epoch` (the presence service
 *   restarted) makes it read again, keeping the list it shows until the new page arrives;
 * - a summary (names left out) is applied to the counts; the names are read again if the room is small enough to
 *   list (`limit`), else the list is marked incomplete.
 *
 * Single-threaded like the client; every change is reported to `onChange`.
 */
export class MemberListTracker {
  private members = new Map<string, Member>();
  private users = 0;
  private connections = 0;
  private complete = false;
  private loaded = false;
  private version = 0n;
  private epoch = '';
  /** Set while a read is on the way: the events that arrived since it was sent. */
  private buffer: PresenceChange[] | undefined;
  private overflowed = false;
  private generation = 0;
  private attempts = 0;
  private retryTimer: TimerHandle | undefined;
  private stopped = false;

  constructor(
    readonly room: string,
    private readonly limit: number,
    private readonly source: MemberListSource,
    private readonly onChange: (list: MemberList) => void,
  ) {}

  /** The list as it stands. */
  get list(): MemberList {
    return {
      room: this.room,
      members: [...this.members.values()].sort((a, b) => (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0)),
      users: this.users,
      connections: this.connections,
      complete: this.complete,
      loaded: this.loaded,
      version: this.version,
      epoch: this.epoch,
    };
  }

  /** Reads the list again (the one shown stays until the page arrives). Events received before now are in that page. */
  reload(): void {
    if (this.stopped) {
      return;
    }
    this.cancelRetry();
    const generation = ++this.generation;
    this.buffer = [];
    this.overflowed = false;
    this.source.read(this.limit).then(
      (page) => {
        if (generation === this.generation && !this.stopped) {
          this.attempts = 0;
          this.onPage(page);
        }
      },
      (error: SwitchboardError) => {
        if (generation !== this.generation || this.stopped) {
          return;
        }
        // A retriable failure (the presence service restarting, a lost connection) is tried again while the room
        // is subscribed; otherwise the next subscription reads.
        if (error?.retriable && this.source.subscribed()) {
          this.retryTimer = this.source.scheduler.setTimeout(() => {
            this.retryTimer = undefined;
            this.reload();
          }, this.source.retryDelay(this.attempts++));
        }
      },
    );
  }

  /** A presence event of the room. */
  onEvent(change: PresenceChange): void {
    if (this.stopped) {
      return;
    }
    if (this.buffer) {
      if (this.buffer.length < MAX_BUFFERED) {
        this.buffer.push(change);
      } else {
        this.overflowed = true;
      }
      return;
    }
    if (this.apply(change)) {
      this.onChange(this.list);
    }
  }

  /** The subscription ended: no more reads or retries. */
  stop(): void {
    this.stopped = true;
    this.cancelRetry();
    this.generation++;
  }

  private onPage(page: PresencePage): void {
    const buffered = this.buffer ?? [];
    this.buffer = undefined;
    this.members = new Map(page.members.map((m) => [m.userId, m] as const));
    this.users = page.users;
    this.connections = page.connections;
    this.version = page.version;
    this.epoch = page.epoch;
    this.complete = !page.hasMore;
    this.loaded = true;
    const overflowed = this.overflowed;
    for (const change of buffered) {
      if (this.buffer) {
        break; // a gap made it read again; the rest is in the next page
      }
      this.apply(change);
    }
    this.onChange(this.list);
    if (overflowed && !this.buffer) {
      this.reload();
    }
  }

  /** Applies one event by the rule; returns true when the list changed. Starts a read on a gap. */
  private apply(change: PresenceChange): boolean {
    if (!this.loaded) {
      return false; // before the first read was sent: the page it brings contains this
    }
    if (this.epoch === '') {
      // A server without versioned presence: apply as it comes (the old behaviour).
      this.applyLists(change);
      return true;
    }
    if (change.epoch !== this.epoch || (change.version > this.version && change.fromVersion !== this.version)) {
      this.reload();
      return false;
    }
    if (change.version <= this.version) {
      return false; // already in the page
    }
    this.version = change.version;
    this.applyLists(change);
    if (!this.complete && change.users <= this.limit) {
      this.reload(); // names are needed and fit: read them
    }
    return true;
  }

  private applyLists(change: PresenceChange): void {
    this.users = change.users;
    this.connections = change.connections;
    if (change.summary) {
      this.complete = false;
      return;
    }
    for (const m of change.joined) this.members.set(m.userId, m);
    for (const m of change.updated) this.members.set(m.userId, m);
    for (const u of change.left) this.members.delete(u);
  }

  private cancelRetry(): void {
    if (this.retryTimer !== undefined) {
      this.source.scheduler.clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
    }
  }
}
