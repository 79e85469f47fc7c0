import type { Scheduler, TimerHandle } from './timers.js';
import type { RoomMessage } from './types.js';

/** The content type of a file's manifest message (docs/protocol.md section 16). */
export const FILE_MANIFEST_CONTENT_TYPE = 'application/vnd.switchboard.file+json';
/** The content type of a file's chunk messages. */
export const FILE_CHUNK_CONTENT_TYPE = 'application/vnd.switchboard.file-chunk';

const FILE_ID = /^[A-Za-z0-9_-]{1,48}$/;
const SHA256 = /^[0-9a-f]{64}$/;

/** What a file is: the JSON payload of its manifest message, whose message id is fileId. */
export interface FileManifest {
  /** 1-48 characters of A-Z a-z 0-9 _ -; chunk i is the message `${fileId}.${i}`. */
  fileId: string;
  name: string;
  contentType: string;
  size: number;
  chunkSize: number;
  /** ceil(size / chunkSize); 0 for an empty file. */
  chunks: number;
  /** Lowercase hex SHA-256 of the whole file. */
  sha256: string;
}

/** How far a transfer got: acknowledged chunks for a sender (sender undefined), received ones for a receiver. */
export interface FileProgress {
  room: string;
  sender?: string;
  manifest: FileManifest;
  chunks: number;
  bytes: number;
}

/** A file received whole, its SHA-256 checked. */
export interface ReceivedFile {
  room: string;
  sender: string;
  manifest: FileManifest;
  data: Uint8Array;
  /** The position of its manifest in the room, and the room's epoch. */
  position: bigint;
  epoch: string;
}

/**
 * Why a file cannot be delivered whole: no chunk for stallTimeoutMs, a wrong SHA-256, above maxFileBytes, chunks
 * lost by a failed resume, the subscription ended, or (filesFromHistory) chunks missing from the messages given.
 */
export type IncompleteReason = 'stalled' | 'checksum-mismatch' | 'too-large' | 'recovery-failed' | 'closed' | 'missing-chunks';

/** A file whose manifest arrived but which cannot be delivered whole. */
export interface IncompleteFile {
  room: string;
  sender: string;
  manifest: FileManifest;
  chunks: number;
  reason: IncompleteReason;
  message: string;
}

export interface SendFileOptions {
  /** The file's name as receivers see it (default ''). */
  name?: string;
  /** The file's MIME type (default ''). */
  contentType?: string;
  /** Reuse the id of an earlier attempt (e.g. after a reload) to add only what the room lacks; generated when absent. */
  fileId?: string;
  /** Called each time a chunk is acknowledged (stored). */
  onProgress?: (progress: FileProgress) => void;
}

/** The file-transfer settings (client options `files`). */
export interface FileSettings {
  /** The largest file sent or accepted (default 50 MiB). */
  maxFileBytes: number;
  /** Bytes per chunk (default 48 KiB), never more than the connection's maxPayloadBytes. */
  chunkBytes: number;
  /** Chunks of one transfer awaiting their ack at once (default 16). */
  window: number;
  /** Chunk bytes sent per second by all transfers together, at most (default 4 MiB/s: half the gateway's default bytes-per-second limit). */
  bytesPerSecond: number;
  /** A received file with no new chunk for this long is reported incomplete (default 120000 ms). */
  stallTimeoutMs: number;
  /** Files received at once per room (default 4). */
  maxFilesInProgress: number;
}

export const DEFAULT_FILE_SETTINGS: FileSettings = {
  maxFileBytes: 50 * 1024 * 1024,
  chunkBytes: 48 * 1024,
  window: 16,
  bytesPerSecond: 4 * 1024 * 1024,
  stallTimeoutMs: 120_000,
  maxFilesInProgress: 4,
};

export function resolveFileSettings(options: Partial<FileSettings> = {}): FileSettings {
  const s = { ...DEFAULT_FILE_SETTINGS, ...options };
  const atLeast = (name: keyof FileSettings, min: number): void => {
    if (!Number.isInteger(s[name]) || s[name] < min) {
      throw new RangeError(`files.${name}: ${s[name]} (expected: an integer >= ${min})`);
    }
  };
  atLeast('maxFileBytes', 1);
  atLeast('chunkBytes', 1024);
  atLeast('window', 1);
  atLeast('bytesPerSecond', s.chunkBytes);
  atLeast('stallTimeoutMs', 1);
  atLeast('maxFilesInProgress', 1);
  return s;
}

/** Lowercase hex SHA-256 (Web Crypto: browsers in a secure context, i.e. https or localhost, and Node). */
export async function sha256Hex(data: Uint8Array): Promise<string> {
  const subtle = (globalThis as { crypto?: { subtle?: SubtleCrypto } }).crypto?.subtle;
  if (!subtle) {
    throw new Error('file transfer needs crypto.subtle (a secure context: https, or http on localhost)');
  }
  const digest = new Uint8Array(await subtle.digest('SHA-256', data as BufferSource));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function manifestJson(m: FileManifest): Uint8Array {
  const { fileId, name, contentType, size, chunkSize, chunks, sha256 } = m;
  return new TextEncoder().encode(JSON.stringify({ fileId, name, contentType, size, chunkSize, chunks, sha256 }));
}

/** Reads and checks a manifest payload; throws on anything inconsistent. Unknown fields are ignored. */
export function parseManifest(payload: Uint8Array): FileManifest {
  const o = JSON.parse(new TextDecoder().decode(payload)) as Record<string, unknown>;
  const str = (k: string): string => (typeof o[k] === 'string' ? (o[k] as string) : '');
  const int = (k: string): number => {
    const v = o[k];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
      throw new Error(`manifest: ${k} (expected: an integer >= 0)`);
    }
    return v;
  };
  const m: FileManifest = {
    fileId: str('fileId'),
    name: str('name'),
    contentType: str('contentType'),
    size: int('size'),
    chunkSize: int('chunkSize'),
    chunks: int('chunks'),
    sha256: str('sha256'),
  };
  checkManifest(m);
  return m;
}

function checkManifest(m: FileManifest): void {
  if (!FILE_ID.test(m.fileId)) throw new Error(`manifest: fileId ${m.fileId} (expected: 1-48 characters of A-Z a-z 0-9 _ -)`);
  if (m.chunkSize < 1) throw new Error(`manifest: chunkSize ${m.chunkSize} (expected: >= 1)`);
  if (m.chunks !== Math.ceil(m.size / m.chunkSize)) throw new Error(`manifest: chunks ${m.chunks} (expected: ceil(size / chunkSize))`);
  if (!SHA256.test(m.sha256)) throw new Error('manifest: sha256 (expected: 64 lowercase hex digits)');
}

export function validFileId(id: string): boolean {
  return FILE_ID.test(id);
}

function chunkLength(m: FileManifest, index: number): number {
  return Math.min(m.chunkSize, m.size - index * m.chunkSize);
}

/**
 * The token bucket every file transfer of one client draws from, so that their chunks together stay below
 * bytesPerSecond (and so below the gateway's per-connection byte rate): refilled at that rate, holding at most one
 * second's worth.
 */
export class FilePacer {
  private allowance: number;
  private refilledAt?: number;

  constructor(private readonly bytesPerSecond: number, private readonly scheduler: Scheduler) {
    this.allowance = bytesPerSecond;
  }

  /** Takes `bytes` and returns 0, or takes nothing and returns how many milliseconds to wait before asking again. */
  take(bytes: number): number {
    const now = this.scheduler.now();
    if (this.refilledAt !== undefined) {
      this.allowance = Math.min(this.bytesPerSecond, this.allowance + ((now - this.refilledAt) / 1000) * this.bytesPerSecond);
    }
    this.refilledAt = now;
    if (this.allowance >= bytes) {
      this.allowance -= bytes;
      return 0;
    }
    return Math.max(1, Math.ceil(((bytes - this.allowance) * 1000) / this.bytesPerSecond));
  }
}

/**
 * Publishes one message with a fixed id; resolves on its ack, which names the room it was stored in (a publish's
 * room, or for a stored direct message the user's inbox).
 */
export type FilePublish = (id: string, payload: Uint8Array, contentType: string) => Promise<{ room?: string }>;

/**
 * One file being sent into a room (sendFile), or into a user's inbox as stored direct messages (sendFileToUser): the
 * manifest first, then (once the manifest is stored, so receivers always know a chunk's file) the chunks, up to
 * `window` awaiting their ack at once and paced to `bytesPerSecond` (one FilePacer for all transfers of the client).
 * Every message is an acknowledged publish (or stored direct message) with an id derived from the file id: the client
 * resends it across reconnects and the server stores it once. resume() after a failure sends only what was not
 * acknowledged.
 */
export class FileTransfer {
  /** Known once the file is hashed (before anything is sent). */
  manifest?: FileManifest;
  private readonly acked = new Set<number>();
  private readonly onTheirWay = new Set<number>();
  private manifestStored = false;
  private manifestOnItsWay = false;
  private next = 0;
  private inFlight = 0;
  private wakeUp?: TimerHandle;
  private bytesDone = 0;
  private settle!: { resolve: (m: FileManifest) => void; reject: (e: unknown) => void };
  private failed = false;
  private finished = false;
  /** Resolves when the manifest and every chunk are stored; rejects with the first failure. */
  done: Promise<FileManifest>;

  /**
   * @param room the room the messages go to; '' for a file to a user, whose inbox room the manifest's ack names
   *   (then `room` and the progress' room are '' until the manifest is stored)
   */
  constructor(
    public room: string,
    readonly fileId: string,
    private readonly data: Uint8Array,
    private readonly name: string,
    private readonly contentType: string,
    private readonly chunkBytes: number,
    private readonly settings: FileSettings,
    private readonly scheduler: Scheduler,
    private readonly pacer: FilePacer,
    private readonly publish: FilePublish,
    private readonly onProgress: (p: FileProgress) => void,
  ) {
    this.done = this.newAttempt();
  }

  /** Chunks and bytes stored so far. */
  get progress(): FileProgress | undefined {
    return this.manifest && { room: this.room, manifest: this.manifest, chunks: this.acked.size, bytes: this.bytesDone };
  }

  /** Hashes the file and starts sending. */
  async start(): Promise<void> {
    try {
      const sha256 = await sha256Hex(this.data);
      const size = this.data.length;
      this.manifest = { fileId: this.fileId, name: this.name, contentType: this.contentType, size, chunkSize: this.chunkBytes,
        chunks: Math.ceil(size / this.chunkBytes), sha256 };
      this.pump();
    } catch (e) {
      this.fail(e);
    }
  }

  /** After a failure of `done`: sends again what is not acknowledged (same ids). Returns the new `done`. */
  resume(): Promise<FileManifest> {
    if (this.failed && this.manifest) {
      this.failed = false;
      this.done = this.newAttempt();
      this.next = 0;
      this.pump();
    }
    return this.done;
  }

  private newAttempt(): Promise<FileManifest> {
    const p = new Promise<FileManifest>((resolve, reject) => (this.settle = { resolve, reject }));
    p.catch(() => undefined); // the caller may look at it later; not an unhandled rejection meanwhile
    return p;
  }

  private pump(): void {
    const m = this.manifest;
    if (!m || this.failed || this.finished) return;
    if (!this.manifestStored) {
      if (!this.manifestOnItsWay) {
        this.manifestOnItsWay = true;
        this.publish(m.fileId, manifestJson(m), FILE_MANIFEST_CONTENT_TYPE).then(
          (ack) => {
            if (ack.room) this.room = ack.room;
            this.manifestOnItsWay = false;
            this.manifestStored = true;
            this.finishIfDone();
            this.pump();
          },
          (e) => {
            this.manifestOnItsWay = false;
            this.fail(e);
          },
        );
      }
      return;
    }
    while (this.inFlight < this.settings.window && this.next < m.chunks) {
      const index = this.next;
      if (this.acked.has(index) || this.onTheirWay.has(index)) {
        this.next++;
        continue;
      }
      const length = chunkLength(m, index);
      if (!this.takeAllowance(length)) return;
      this.next++;
      this.inFlight++;
      this.onTheirWay.add(index);
      const from = index * m.chunkSize;
      this.publish(`${m.fileId}.${index}`, this.data.slice(from, from + length), FILE_CHUNK_CONTENT_TYPE).then(
        () => {
          this.inFlight--;
          this.onTheirWay.delete(index);
          this.acked.add(index);
          this.bytesDone += length;
          this.onProgress(this.progress!);
          this.finishIfDone();
          this.pump();
        },
        (e) => {
          this.inFlight--;
          this.onTheirWay.delete(index);
          this.fail(e);
        },
      );
    }
  }

  /** Whether the client's pacer lets `length` bytes go now; if not, a later pump is scheduled. */
  private takeAllowance(length: number): boolean {
    const waitMs = this.pacer.take(length);
    if (waitMs === 0) return true;
    if (this.wakeUp === undefined) {
      this.wakeUp = this.scheduler.setTimeout(() => {
        this.wakeUp = undefined;
        this.pump();
      }, waitMs);
    }
    return false;
  }

  private finishIfDone(): void {
    const m = this.manifest!;
    if (this.manifestStored && this.acked.size === m.chunks && !this.finished) {
      this.finished = true;
      if (m.chunks === 0) this.onProgress(this.progress!);
      this.settle.resolve(m);
    }
  }

  private fail(e: unknown): void {
    if (!this.failed && !this.finished) {
      this.failed = true;
      this.settle.reject(e);
    }
  }
}

interface Assembly {
  key: string;
  room: string;
  sender: string;
  manifest: FileManifest;
  position: bigint;
  epoch: string;
  data: Uint8Array;
  received: Set<number>;
  bytes: number;
  lastChunkAt: number;
  stallTimer?: TimerHandle;
}

export interface FileEvents {
  file(file: ReceivedFile): void;
  fileProgress(progress: FileProgress): void;
  fileIncomplete(file: IncompleteFile): void;
}

/**
 * Puts files together from a client's room messages, after the client's own dedup (each message once, in position
 * order per room): a manifest opens a file, chunks fill it by the index in their id, in any order, and the SHA-256 is
 * checked before the file is handed on. Live, replayed and re-sent messages are all the same to it. Chunks whose
 * manifest it has not seen (sent before the subscription) are dropped.
 */
export class FileAssembler {
  private readonly assemblies = new Map<string, Assembly>();
  /** Files whose last chunk is in, being checked (Web Crypto answers asynchronously). */
  private readonly checking = new Set<Promise<void>>();

  constructor(
    private readonly settings: FileSettings,
    private readonly scheduler: Scheduler,
    private readonly events: FileEvents,
  ) {}

  /** Takes a file message (true), or leaves any other message to the caller (false). */
  accept(m: RoomMessage): boolean {
    if (m.contentType === FILE_MANIFEST_CONTENT_TYPE) {
      let manifest: FileManifest;
      try {
        manifest = parseManifest(m.payload);
      } catch {
        return false; // not a manifest after all: the application may know what it is
      }
      this.onManifest(m, manifest);
      return true;
    }
    if (m.contentType === FILE_CHUNK_CONTENT_TYPE) {
      this.onChunk(m);
      return true;
    }
    return false;
  }

  /** Resolves once every file whose last chunk came in so far has been checked and handed on (or reported). */
  async settled(): Promise<void> {
    while (this.checking.size > 0) {
      await Promise.all([...this.checking]);
    }
  }

  /** Every file in progress in `room` (all rooms when undefined) is given up, e.g. after a failed resume. */
  giveUpRoom(room: string | undefined, reason: IncompleteReason, why: string): void {
    for (const a of [...this.assemblies.values()]) {
      if (room === undefined || a.room === room) this.giveUp(a, reason, why);
    }
  }

  private onManifest(m: RoomMessage, manifest: FileManifest): void {
    if (manifest.size > this.settings.maxFileBytes) {
      this.events.fileIncomplete({ room: m.room, sender: m.sender, manifest, chunks: 0, reason: 'too-large',
        message: `size: ${manifest.size} (expected: <= maxFileBytes ${this.settings.maxFileBytes})` });
      return;
    }
    const inRoom = [...this.assemblies.values()].filter((a) => a.room === m.room);
    if (inRoom.length >= this.settings.maxFilesInProgress) {
      this.giveUp(inRoom[0], 'too-large', `more than maxFilesInProgress ${this.settings.maxFilesInProgress} files in progress in ${m.room}; the oldest is dropped`);
    }
    const key = `${m.room}\u0000${m.sender}\u0000${manifest.fileId}`;
    const previous = this.assemblies.get(key);
    if (previous?.stallTimer !== undefined) this.scheduler.clearTimeout(previous.stallTimer);
    const a: Assembly = { key, room: m.room, sender: m.sender, manifest, position: m.position, epoch: m.epoch, data: new Uint8Array(manifest.size),
      received: new Set(), bytes: 0, lastChunkAt: this.scheduler.now() };
    this.assemblies.set(key, a);
    if (manifest.chunks === 0) {
      this.check(a);
    } else {
      this.scheduleStallCheck(a, this.settings.stallTimeoutMs);
    }
  }

  private onChunk(m: RoomMessage): void {
    const dot = m.id.lastIndexOf('.');
    if (dot <= 0) return;
    const a = this.assemblies.get(`${m.room}\u0000${m.sender}\u0000${m.id.slice(0, dot)}`);
    if (!a) return; // its manifest came before the subscription, or was refused
    const digits = m.id.slice(dot + 1);
    const index = /^[0-9]+$/.test(digits) ? Number(digits) : -1;
    if (index < 0 || index >= a.manifest.chunks || a.received.has(index) || m.payload.length !== chunkLength(a.manifest, index)) return;
    a.data.set(m.payload, index * a.manifest.chunkSize);
    a.received.add(index);
    a.bytes += m.payload.length;
    a.lastChunkAt = this.scheduler.now();
    this.events.fileProgress({ room: a.room, sender: a.sender, manifest: a.manifest, chunks: a.received.size, bytes: a.bytes });
    if (a.received.size === a.manifest.chunks) this.check(a);
  }

  private check(a: Assembly): void {
    const checked: Promise<void> = this.complete(a).finally(() => this.checking.delete(checked));
    this.checking.add(checked);
  }

  private async complete(a: Assembly): Promise<void> {
    this.forget(a);
    const actual = await sha256Hex(a.data);
    if (actual !== a.manifest.sha256) {
      this.events.fileIncomplete({ room: a.room, sender: a.sender, manifest: a.manifest, chunks: a.received.size,
        reason: 'checksum-mismatch', message: `sha256: ${actual} (expected: ${a.manifest.sha256})` });
      return;
    }
    this.events.file({ room: a.room, sender: a.sender, manifest: a.manifest, data: a.data, position: a.position, epoch: a.epoch });
  }

  private scheduleStallCheck(a: Assembly, delayMs: number): void {
    a.stallTimer = this.scheduler.setTimeout(() => {
      if (this.assemblies.get(a.key) !== a) return;
      const quiet = this.scheduler.now() - a.lastChunkAt;
      if (quiet >= this.settings.stallTimeoutMs) {
        this.giveUp(a, 'stalled', `no chunk for ${quiet} ms (stallTimeoutMs ${this.settings.stallTimeoutMs})`);
      } else {
        this.scheduleStallCheck(a, this.settings.stallTimeoutMs - quiet);
      }
    }, delayMs);
  }

  private giveUp(a: Assembly, reason: IncompleteReason, why: string): void {
    this.forget(a);
    this.events.fileIncomplete({ room: a.room, sender: a.sender, manifest: a.manifest, chunks: a.received.size, reason, message: why });
  }

  private forget(a: Assembly): void {
    this.assemblies.delete(a.key);
    if (a.stallTimer !== undefined) this.scheduler.clearTimeout(a.stallTimer);
  }
}

/** A fresh file id: 24 characters of URL-safe base64 (144 random bits when crypto is there). */
export function newFileId(random: () => number): string {
  const bytes = new Uint8Array(18);
  const crypto = (globalThis as { crypto?: { getRandomValues?: (a: Uint8Array) => Uint8Array } }).crypto;
  if (crypto?.getRandomValues) crypto.getRandomValues(bytes);
  else for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(random() * 256);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  let id = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    id += alphabet[(n >> 18) & 63] + alphabet[(n >> 12) & 63] + alphabet[(n >> 6) & 63] + alphabet[n & 63];
  }
  return id;
}
