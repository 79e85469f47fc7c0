/** The global fetch, as a property (assigning through `globalThis.fetch` would be an assignment to a function). */
const globals = globalThis as { fetch: typeof fetch };

/**
 * The real fetch, watched: while installed on globalThis it records every POST of the HTTP fallback as it is made
 * (its body, and its HTTP status once answered, -1 for none) and every DELETE (its URL, Authorization header and keepalive flag), can
 * send the next POST to a stream no gateway holds (as a load balancer sending it to the wrong gateway), and can hold
 * back the bytes of event streams until released, so that a test decides when a close event reaches the client.
 * Requests still go to the real server.
 */
export class FetchSpy {
  readonly posts: Array<{ body: string; status: Promise<number> }> = [];
  readonly deletes: Array<{ url: string; authorization: string | null; keepalive: boolean }> = [];
  private readonly realFetch = globals.fetch;
  private misroute = false;
  private held: Promise<void> | undefined;
  private releaseHeld: (() => void) | undefined;

  install(): this {
    globals.fetch = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      const method = init?.method ?? 'GET';
      // Only the fallback's requests (GET /sse, POST /sse/<stream>), not those of a token endpoint, say.
      const path = new URL(input instanceof Request ? input.url : input).pathname;
      const post = method === 'POST' && /\/sse\/[^/]+$/.test(path);
      if (post && this.misroute) {
        this.misroute = false;
        input = new URL('AAAAAAAAAAAAAAAAAAAAAA', String(input)); // same path, another stream id
      }
      const response = this.realFetch.call(globalThis, input, init);
      if (post) {
        this.posts.push({ body: String(init?.body), status: response.then((r) => r.status, () => -1) });
      } else if (method === 'DELETE') {
        this.deletes.push({ url: String(input), authorization: new Headers(init?.headers).get('Authorization'),
          keepalive: init?.keepalive === true });
      } else if (method === 'GET' && path.endsWith('/sse')) {
        return response.then((r) => this.holdable(r));
      }
      return response;
    };
    return this;
  }

  uninstall(): void {
    this.release();
    globals.fetch = this.realFetch;
  }

  /** The bodies posted so far, one string per POST. */
  get bodies(): string[] {
    return this.posts.map((p) => p.body);
  }

  /**
   * The status of the last POST once answered (-1 for none), once the poster handled it: its reaction to the answer
   * runs before the one to the status derived from it, and a turn of the event loop follows.
   */
  async lastStatus(): Promise<number> {
    const status = await this.posts.at(-1)!.status;
    await new Promise((resolve) => setImmediate(resolve));
    return status;
  }

  /** The next POST goes to a stream id that no gateway holds (it is answered 404). */
  misrouteNextPost(): void {
    this.misroute = true;
  }

  /** From now on, event-stream bytes wait until release(). */
  hold(): void {
    this.held ??= new Promise((resolve) => {
      this.releaseHeld = resolve;
    });
  }

  release(): void {
    this.releaseHeld?.();
    this.held = undefined;
    this.releaseHeld = undefined;
  }

  private holdable(response: Response): Response {
    if (!response.body) {
      return response;
    }
    const body = response.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform: async (chunk, controller) => {
          await this.held;
          controller.enqueue(chunk);
        },
      }),
    );
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  }
}

