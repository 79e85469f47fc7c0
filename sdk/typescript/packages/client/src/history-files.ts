import {
  FILE_CHUNK_CONTENT_TYPE,
  FileAssembler,
  resolveFileSettings,
  type FileSettings,
  type IncompleteFile,
  type ReceivedFile,
} from './files.js';
import type { Scheduler } from './timers.js';
import type { HistoryPage, RoomMessage } from './types.js';

/** What filesFromHistory found in the messages it was given. */
export interface HistoryFiles {
  /** Files whose manifest and every chunk were there, SHA-256 checked, in the order of their manifests. */
  files: ReceivedFile[];
  /**
   * Files whose manifest was there but that cannot be put together: 'missing-chunks' (not every chunk was given:
   * they are in newer pages not read yet, expired, or were never sent), 'checksum-mismatch' or 'too-large'.
   */
  incomplete: IncompleteFile[];
  /** Every message that is not part of a file (the application's own), in position order. */
  messages: RoomMessage[];
  /** Chunks whose manifest was not among the messages: it is older, so page further back to get those files. */
  chunksWithoutManifest: number;
}

/** A history read has no clock: nothing stalls, so no timer ever fires. */
const NO_TIMERS: Scheduler = { now: () => 0, setTimeout: () => undefined, clearTimeout: () => undefined };

/**
 * Puts files together from pages of history (client.history(), HistoryPager.loadEarlier(), a room's or an inbox's),
 * the way a subscription does live (docs/protocol.md section 16, Receiving): the pages may come in any order (e.g.
 * newest first) and overlap; their messages are taken in position order per room and epoch, each position once.
 * Everything is in memory already, so the messages may hold any number of files at once; `settings` bounds each
 * file (maxFileBytes, default 50 MiB). Needs Web Crypto like the client's file events.
 */
export async function filesFromHistory(
  history: HistoryPage | Iterable<HistoryPage | RoomMessage>,
  settings: Partial<FileSettings> = {},
): Promise<HistoryFiles> {
  const files: ReceivedFile[] = [];
  const incomplete: IncompleteFile[] = [];
  const messages: RoomMessage[] = [];
  let chunksWithoutManifest = 0;
  const assembler = new FileAssembler(resolveFileSettings({ maxFilesInProgress: Number.MAX_SAFE_INTEGER, ...settings }), NO_TIMERS, {
    file: (f) => files.push(f),
    fileProgress: () => undefined,
    fileIncomplete: (f) => incomplete.push(f),
  });
  const ordered = inPositionOrder(history);
  const manifests = new Set<string>();
  for (const m of ordered) {
    if (!assembler.accept(m)) {
      messages.push(m);
    } else if (m.contentType !== FILE_CHUNK_CONTENT_TYPE) {
      manifests.add(`${m.room}\u0000${m.sender}\u0000${m.id}`);
    } else if (!manifests.has(`${m.room}\u0000${m.sender}\u0000${m.id.slice(0, Math.max(0, m.id.lastIndexOf('.')))}`)) {
      chunksWithoutManifest++;
    }
  }
  assembler.giveUpRoom(undefined, 'missing-chunks', 'not every chunk is among the messages given');
  await assembler.settled();
  // Files are checked concurrently: hand them back in the order of their manifests.
  const index = new Map(ordered.map((m, i) => [`${m.room}\u0000${m.epoch}\u0000${m.position}`, i]));
  const at = (f: ReceivedFile) => index.get(`${f.room}\u0000${f.epoch}\u0000${f.position}`) ?? 0;
  files.sort((a, b) => at(a) - at(b));
  return { files, incomplete, messages, chunksWithoutManifest };
}

/** The messages of pages and loose messages, grouped by room and epoch (in the order first seen), each group by position, each position once. */
function inPositionOrder(history: HistoryPage | Iterable<HistoryPage | RoomMessage>): RoomMessage[] {
  const groups = new Map<string, Map<bigint, RoomMessage>>();
  const add = (m: RoomMessage) => {
    const key = `${m.room}\u0000${m.epoch}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = new Map()));
    if (!group.has(m.position)) group.set(m.position, m);
  };
  for (const item of 'messages' in history ? [history] : history) {
    if ('messages' in item) item.messages.forEach(add);
    else add(item);
  }
  return [...groups.values()].flatMap((group) => [...group.values()].sort((a, b) => (a.position < b.position ? -1 : a.position > b.position ? 1 : 0)));
}
