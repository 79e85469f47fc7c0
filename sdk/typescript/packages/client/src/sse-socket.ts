import { SUBPROTOCOLS } from './codec.js';
import type { WebSocketLike } from './options.js';
import { systemScheduler, type Scheduler, type TimerHandle } from './timers.js';

/** Characters per POST body at most (JSON frames are ASCII, so bytes): half the gateway's default max-post-bytes. */
const MAX_POST_CHARS = 512 * 1024;
/** The default of {@link SseSocketOptions.closeWaitMs}. */
export const DEFAULT_CLOSE_WAIT_MS = 5000;

export interface SseSocketOptions {
  /** Timers (default: the platform's); tests inject a fake. */
  scheduler?: Scheduler;
  /**
   * After a POST answered 400 or 413, how long to wait for the stream's close event before ending the stream as
   * dropped (1006), in ms (default {@link DEFAULT_CLOSE_WAIT_MS}). The gateway sends that event right after such an
   * answer; a proxy in front of it that answers 400 or 413 itself (nginx's client_max_body_size) sends none.
   */
  closeWaitMs?: number;
  /**
   * Where the page's lifecycle events come from (default: the global scope where it has addEventListener and a
   * document, as in a browser window; none elsewhere). On its pagehide the socket leaves its stream at once (see
   * {@link SseSocket}).
   */
  page?: PageEvents;
}

/** The part of a browser window the socket listens to: its pagehide event. */
export interface PageEvents {
  addEventListener(type: 'pagehide', listener: () => void): void;
  removeEventListener(type: 'pagehide', listener: () => void): void;
}

/** The global scope as PageEvents in a browser window; undefined elsewhere (Node, workers). */
function windowPageEvents(): PageEvents | undefined {
  const scope = globalThis as { addEventListener?: unknown; document?: unknown };
  return typeof scope.addEventListener === 'function' && scope.document !== undefined
    ? (globalThis as unknown as PageEvents) : undefined;
}

/**
 * The gateway's HTTP fallback (docs/protocol.md section 15) behind the WebSocket interface the client already drives:
 * a Server-Sent Events stream read with fetch (GET /sse on the WebSocket URL's host and port, http for ws and https
 * for wss) carries the server frames, and POSTs carry the client frames, in the JSON mapping only. It posts with the
 * token of the last connect or refresh frame it sent, one POST at a time (frames sent meanwhile go together in the
 * next). After a POST that was not taken (any answer but 204, or none) it posts nothing more: the frames queued behind
 * it and those sent later are dropped, and the client resends what they carried on the next stream, in order. The
 * stream's "open" event is the socket's open, its "close" event the close code; a stream that ends without one closes
 * with 1006, as a dropped WebSocket does, and so does one whose POST was answered 400 or 413 when no close event
 * follows within closeWaitMs (the answer came from a proxy, not from the gateway). A stream it gives up on its own
 * while the gateway may still hold the session it leaves with DELETE, as on close(). So does a page that is being
 * left or reloaded (its pagehide event; the DELETE is a keepalive request, which outlives the page, and the socket
 * closes with 1001 as the browser closes a WebSocket): a gateway cannot tell that a browser dropped an event stream
 * until a heartbeat write fails, up to two heartbeat intervals later, and meanwhile the user would count as online on
 * one more device. Works where fetch streams response bodies (browsers, Node >= 18).
 */
export class SseSocket implements WebSocketLike {
  readonly protocol = SUBPROTOCOLS.json;
  binaryType = 'arraybuffer';
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;

  private readonly streamUrl: string;
  private readonly stop = new AbortController();
  private postUrl: string | undefined;
  private token = '';
  private readonly queue: string[] = [];
  private posting = false;
  /**
   * A POST was refused or failed: this stream takes no more frames. Behind a load balancer a later POST may reach the
   * gateway holding the stream (while the refused one reached another) and be stored ahead of the refused frames'
   * resend on the next stream; and a proxy's refusal (a 413 of its own) leaves the session open behind it.
   */
  private refused = false;
  private closed = false;
  private readonly scheduler: Scheduler;
  private readonly closeWaitMs: number;
  /** The wait for the close event after a 400 or 413, while it runs. */
  private closeWait: { timer: TimerHandle } | undefined;
  private readonly page: PageEvents | undefined;
  private readonly onPageHide = (): void => this.finish(1001, 'the page is being left', true);

  /** @param url the gateway's WebSocket URL; the subprotocols are ignored (the fallback speaks JSON only) */
  constructor(url: string, _protocols?: string[], options: SseSocketOptions = {}) {
    this.streamUrl = SseSocket.streamUrl(url);
    this.scheduler = options.scheduler ?? systemScheduler;
    this.closeWaitMs = options.closeWaitMs ?? DEFAULT_CLOSE_WAIT_MS;
    this.page = options.page ?? windowPageEvents();
    this.page?.addEventListener('pagehide', this.onPageHide);
    void this.read();
  }

  /** SseSocket as a transport constructor (the client's HttpFallback option) whose sockets all get these options. */
  static withOptions(options: SseSocketOptions): new (url: string, protocols?: string[]) => SseSocket {
    return class extends SseSocket {
      constructor(url: string, protocols?: string[]) {
        super(url, protocols, options);
      }
    };
  }

  /** The event stream's URL for a gateway's WebSocket URL: same host and port, path /sse. */
  static streamUrl(webSocketUrl: string): string {
    const url = new URL(webSocketUrl);
    url.protocol = url.protocol === 'wss:' || url.protocol === 'https:' ? 'https:' : 'http:';
    url.pathname = '/sse';
    url.search = '';
    url.hash = '';
    return url.toString();
  }

  send(data: string | Uint8Array): void {
    if (typeof data !== 'string') {
      throw new TypeError('the HTTP fallback carries the JSON mapping only');
    }
    if (this.closed || this.postUrl === undefined) {
      throw new Error('the event stream is not open');
    }
    if (data.startsWith('{"connect"') || data.startsWith('{"refresh"')) {
      const frame = JSON.parse(data) as { connect?: { token?: string }; refresh?: { token?: string } };
      this.token = frame.connect?.token ?? frame.refresh?.token ?? this.token;
    }
    if (this.refused) {
      return; // dropped like the frames queued behind the refused POST; the close that follows makes the client resend
    }
    this.queue.push(data);
    if (!this.posting) {
      void this.postQueued();
    }
  }

  close(code = 1000, reason = ''): void {
    this.finish(code, reason, true);
  }

  private async read(): Promise<void> {
    let response: Response;
    try {
      response = await fetch(this.streamUrl, { headers: { Accept: 'text/event-stream' }, cache: 'no-store', signal: this.stop.signal });
    } catch (e) {
      this.finish(1006, `event stream failed: ${String(e)}`);
      return;
    }
    if (response.status !== 200 || !response.body) {
      this.finish(1006, `event stream refused with HTTP ${response.status}`);
      return;
    }
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    let event = '';
    let data = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) {
          break;
        }
        buffer += decoder.decode(value, { stream: true });
        let newline: number;
        while ((newline = buffer.indexOf('\n')) >= 0) {
          let line = buffer.slice(0, newline);
          buffer = buffer.slice(newline + 1);
          if (line.endsWith('\r')) {
            line = line.slice(0, -1);
          }
          if (line === '') {
            // An event without data (the blank line after a heartbeat comment) is not dispatched.
            if (data !== '') {
              this.dispatch(event, data);
            }
            event = '';
            data = '';
          } else if (line.startsWith('event:')) {
            event = line.slice(6).trim();
          } else if (line.startsWith('data:')) {
            data += line.slice(line.startsWith('data: ') ? 6 : 5);
          }
          // Comments (heartbeats) and fields the client does not use are skipped.
        }
      }
    } catch {
      // Aborted or broken: reported below as an end without a close event.
    }
    this.finish(1006, 'event stream ended');
  }

  private dispatch(event: string, data: string): void {
    if (this.closed) {
      return;
    }
    if (event === 'open') {
      this.postUrl = `${this.streamUrl}/${(JSON.parse(data) as { stream: string }).stream}`;
      this.onopen?.({});
    } else if (event === 'close') {
      const close = JSON.parse(data) as { code: number; reason?: string };
      this.finish(close.code, close.reason ?? '');
    } else if (event === '') {
      this.onmessage?.({ data });
    }
    // Event types of a later version are ignored (docs/protocol.md section 12).
  }

  /**
   * Posts what is queued, one POST at a time. A POST not taken ends the posting for good (docs/protocol.md section 15)
   * and drops the queue, and the stream too: at once, or after a 400 or 413 when no close event follows in time.
   */
  private async postQueued(): Promise<void> {
    this.posting = true;
    try {
      while (this.queue.length > 0 && !this.closed) {
        // At most MAX_POST_CHARS per POST (a frame larger than that goes alone): the gateway refuses a body above
        // gateway.http-fallback.max-post-bytes (1 MiB) with 413 and closes the session, and a burst of large
        // publishes (file chunks, section 16) would pass it.
        let count = 1;
        for (let size = this.queue[0]!.length; count < this.queue.length && size + this.queue[count]!.length + 1 <= MAX_POST_CHARS; count++) {
          size += this.queue[count]!.length + 1;
        }
        const body = this.queue.splice(0, count).join('\n');
        let status: number;
        try {
          const response = await fetch(this.postUrl!, {
            method: 'POST',
            headers: { Authorization: `Bearer ${this.token}`, 'Content-Type': 'application/x-ndjson' },
            body,
          });
          status = response.status;
        } catch (e) {
          this.refuse();
          this.finish(1006, `POST failed: ${String(e)}`, true); // the POST may not have reached the gateway
          return;
        }
        if (status !== 204) {
          this.refuse();
          // The gateway's 400 and 413 close the session with a close event on the stream (its code tells whether to
          // reconnect); anything else (404: the stream is gone or on another gateway; 401, 409, 429, 5xx) leaves it
          // unusable. Only after a 404 has the gateway no session to leave.
          if (status === 400 || status === 413) {
            this.awaitCloseEvent(status);
          } else {
            this.finish(1006, `POST answered HTTP ${status}`, status !== 404);
          }
          return;
        }
      }
    } finally {
      this.posting = false;
    }
  }

  /** No more POSTs on this stream: what waits to be posted is dropped, and so is what is sent from now on. */
  private refuse(): void {
    this.refused = true;
    this.queue.length = 0;
  }

  /**
   * A 400 or 413 that came from a proxy in front of the gateway has no close event behind it, and this stream takes no
   * more POSTs: without a close event in time, it ends as dropped so that the client reconnects and resends now
   * rather than when the client's idle detection gives up on the stream.
   */
  private awaitCloseEvent(status: number): void {
    if (this.closed) {
      return;
    }
    this.closeWait = {
      timer: this.scheduler.setTimeout(() => {
        this.closeWait = undefined;
        this.finish(1006, `POST answered HTTP ${status} and no close event followed within ${this.closeWaitMs} ms`, true);
      }, this.closeWaitMs),
    };
  }

  /**
   * Ends the socket, once. With leave, a stream that opened is left too (DELETE, best effort, not awaited): the
   * gateway then ends the session now, rather than when its heartbeat finds the stream gone, meanwhile counting the
   * user online twice once the client reconnects. Not after the gateway ended the stream (its close event, a 404).
   */
  private finish(code: number, reason: string, leave = false): void {
    if (this.closed) {
      return;
    }
    this.closed = true;
    this.page?.removeEventListener('pagehide', this.onPageHide);
    if (leave && this.postUrl !== undefined) {
      // keepalive: the request outlives the page that sends it (pagehide, or a close() just before navigating away).
      fetch(this.postUrl, { method: 'DELETE', headers: { Authorization: `Bearer ${this.token}` }, keepalive: true })
        .catch(() => undefined);
    }
    if (this.closeWait) {
      this.scheduler.clearTimeout(this.closeWait.timer);
      this.closeWait = undefined;
    }
    this.stop.abort();
    this.onclose?.({ code, reason });
  }
}
