import { ErrorCode } from './gen/switchboard/client/v1/client_pb.js';

/** Names of the protocol's error and close codes (ErrorCode), e.g. 101 -> "UNAVAILABLE". */
export function codeName(code: number): string {
  return ErrorCode[code] ?? `CODE_${code}`;
}

/**
 * A failure reported by the server (an Error frame) or by the client itself (timeouts, closed client, full
 * queue). `code` is the protocol's ErrorCode number where the server sent one; client-side failures use the
 * string codes below.
 */
export class SwitchboardError extends Error {
  constructor(
    message: string,
    /** ErrorCode number (server) or a client-side code: "TIMEOUT", "CLOSED", "QUEUE_FULL", "NOT_CONNECTED". */
    readonly code: number | ClientErrorCode,
    /** True when the same request may succeed later (for publishes: with the same id, which the client does). */
    readonly retriable: boolean,
    readonly room?: string,
  ) {
    super(message);
    this.name = 'SwitchboardError';
  }

  /** The symbolic name of the code ("UNAVAILABLE", "TIMEOUT", ...). */
  get codeName(): string {
    return typeof this.code === 'number' ? codeName(this.code) : this.code;
  }
}

export type ClientErrorCode = 'TIMEOUT' | 'CLOSED' | 'QUEUE_FULL' | 'NOT_CONNECTED' | 'TOKEN' | 'DECODE';

/** Close codes after which the client reconnects (docs/protocol.md section 6). */
export function closeAction(code: number): 'reconnect' | 'refresh-token' | 'close' {
  if (code === ErrorCode.TOKEN_EXPIRED) {
    return 'refresh-token';
  }
  if (code >= 3500 && code <= 4999) {
    return 'close'; // 3500-3999 do not reconnect as-is, 4000-4999 application codes are terminal
  }
  if (code >= 3000 && code <= 3499) {
    return 'reconnect';
  }
  // RFC 6455 codes: 1002 protocol error, 1003 unsupported data, 1007 invalid payload, 1008 policy violation,
  // 1009 too big and 1010 missing extension are client bugs or policy: reconnecting as-is fails again.
  if ([1002, 1003, 1007, 1008, 1009, 1010].includes(code)) {
    return 'close';
  }
  // 1000 normal, 1001 going away, 1005 none, 1006 abnormal (network), 1011 internal, 1012-1014 restart/overload.
  return 'reconnect';
}
