import { jsonCodec } from '../src/codec.js';
import type { Connection, Link } from '../src/connection.js';
import type { ClientFrame } from '../src/gen/switchboard/client/v1/client_pb.js';
import type { WebSocketLike } from '../src/options.js';

/** A Link whose connections are plain records: the test connects and drops them and reads what was sent on each. */
export class FakeLink implements Link {
  current: Connection | undefined;
  readonly sent: Array<{ conn: Connection; frame: ClientFrame }> = [];

  /** A new connection that completed its handshake (Connected), now the current one. */
  connect(token = 'token'): Connection {
    const conn: Connection = { ws: {} as WebSocketLike, codec: jsonCodec, fallback: false, opened: true, token, tokenObtainedAt: 0, connected: true, lastFrameAt: 0, lastPingAt: 0 };
    this.current = conn;
    return conn;
  }

  drop(): void {
    this.current = undefined;
  }

  send(conn: Connection, frame: ClientFrame): void {
    this.sent.push({ conn, frame });
  }

  /** Frames of one kind, in send order (on any connection, or on `conn`). */
  frames<K extends NonNullable<ClientFrame['frame']['case']>>(kind: K, conn?: Connection): Array<Extract<ClientFrame['frame'], { case: K }>['value']> {
    return this.sent
      .filter((s) => s.frame.frame.case === kind && (conn === undefined || s.conn === conn))
      .map((s) => s.frame.frame.value) as never;
  }
}
