export { SwitchboardClient } from './client.js';
export { HistoryPager } from './history-pager.js';
export { FileAssembler, FilePacer, FileTransfer, FILE_CHUNK_CONTENT_TYPE, FILE_MANIFEST_CONTENT_TYPE, parseManifest } from './files.js';
export type { FileManifest, FileProgress, FileSettings, IncompleteFile, IncompleteReason, ReceivedFile, SendFileOptions } from './files.js';
export type { HistorySource } from './history-pager.js';
export { filesFromHistory } from './history-files.js';
export type { HistoryFiles } from './history-files.js';
export type {
  SwitchboardClientOptions,
  ClientEvents,
  PublishOptions,
  DirectOptions,
  SubscribeOptions,
  HistoryOptions,
  TokenProvider,
  TokenReason,
  WebSocketLike,
  WebSocketConstructor,
} from './options.js';
export { SwitchboardError, codeName, closeAction } from './errors.js';
export type { ClientErrorCode } from './errors.js';
export { Backoff } from './backoff.js';
export type { BackoffOptions } from './backoff.js';
export { systemScheduler } from './timers.js';
export type { Scheduler, TimerHandle, RandomSource } from './timers.js';
export type { WireFormat } from './codec.js';
export { SUBPROTOCOLS } from './codec.js';
export { SseSocket } from './sse-socket.js';
export type { PageEvents, SseSocketOptions } from './sse-socket.js';
export type { HttpFallbackMode } from './transport-choice.js';
export { tokenTimes } from './jwt.js';
export { textOf, applyPresenceChange } from './types.js';
export type {
  ConnectionState,
  StateChange,
  RoomMessage,
  PublishAck,
  DirectAck,
  SubscribedEvent,
  UnsubscribedEvent,
  RecoveryFailureName,
  PresenceStatusName,
  Member,
  MemberList,
  PresenceChange,
  PresencePage,
  TypingChange,
  EphemeralEvent,
  UserMessage,
  HistoryPage,
  HistoryDirectionName,
} from './types.js';
export { ErrorCode } from './gen/switchboard/client/v1/client_pb.js';
