import './dom.js';
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { act, cleanup, render, screen } from '@testing-library/react';
import { SwitchboardClient, textOf, type WebSocketLike } from '@switchboard/client';
import { SwitchboardProvider, useConnectionState, usePresence, useRoom, useTyping } from '../src/index.js';

/** A socket whose server side is the test, speaking the JSON subprotocol as plain strings. */
class FakeSocket implements WebSocketLike {
  static last: FakeSocket;
  protocol = 'switchboard.v1.json';
  binaryType = 'blob';
  onopen: ((e: unknown) => void) | null = null;
  onmessage: ((e: { data: unknown }) => void) | null = null;
  onclose: ((e: { code: number; reason: string }) => void) | null = null;
  onerror: ((e: unknown) => void) | null = null;
  sent: Array<Record<string, Record<string, unknown>>> = [];
  constructor() {
    FakeSocket.last = this;
  }
  send(data: string | Uint8Array): void {
    this.sent.push(JSON.parse(data as string));
  }
  close(): void {}
  frames(kind: string): Array<Record<string, unknown>> {
    return this.sent.filter((f) => kind in f).map((f) => f[kind]!);
  }
  receive(frame: unknown): void {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
}

const tick = () => new Promise((r) => setTimeout(r, 0));
let client: SwitchboardClient;

async function connected(): Promise<FakeSocket> {
  await act(async () => {
    client.connect();
    await tick();
  });
  const ws = FakeSocket.last;
  await act(async () => {
    ws.onopen?.({});
    ws.receive({ connected: { sessionId: 's1', userId: 'alice' } });
    await tick();
  });
  return ws;
}

beforeEach(() => {
  client = new SwitchboardClient({ url: 'ws://test/ws', format: 'json', token: () => 'token', WebSocket: FakeSocket });
  client.on('error', () => {});
});

afterEach(() => {
  cleanup();
  client.close();
});

function Status() {
  return <p data-testid="state">{useConnectionState()}</p>;
}

test('useConnectionState follows the client', async () => {
  render(
    <SwitchboardProvider client={client}>
      <Status />
    </SwitchboardProvider>,
  );
  assert.equal(screen.getByTestId('state').textContent, 'disconnected');
  await connected();
  assert.equal(screen.getByTestId('state').textContent, 'connected');
});

function Room(props: { room: string }) {
  const { messages, loadEarlier, hasMore } = useRoom(props.room, { pageSize: 2 });
  const { typingUsers } = useTyping(props.room);
  const { users, members } = usePresence(props.room);
  return (
    <div>
      <p data-testid="messages">{messages.map(textOf).join(',')}</p>
      <p data-testid="typing">{typingUsers.join(',')}</p>
      <p data-testid="users">{users}</p>
      <p data-testid="members">{members.map((m) => m.userId).join(',')}</p>
      <p data-testid="more">{String(hasMore)}</p>
      <button onClick={() => void loadEarlier()}>earlier</button>
    </div>
  );
}

const b64 = (s: string) => Buffer.from(s).toString('base64');
const msg = (position: number, text: string) => ({ message: { room: 'chat', position: String(position), id: text, sender: 'bob', payload: b64(text), epoch: 'e' } });

test('useRoom, useTyping and usePresence subscribe, render live events and page history', async () => {
  const view = render(
    <SwitchboardProvider client={client}>
      <Room room="chat" />
    </SwitchboardProvider>,
  );
  const ws = await connected();
  const subscribe = ws.frames('subscribe');
  assert.equal(subscribe.length, 1, 'three hooks share one subscription');
  assert.equal(subscribe[0]!.presence, true);
  await act(async () => {
    ws.receive({ subscribed: { requestId: subscribe[0]!.requestId, room: 'chat', epoch: 'e', nextPosition: '10' } });
    ws.receive(msg(10, 'c'));
    ws.receive(msg(11, 'd'));
    ws.receive({ ephemeral: { room: 'chat', kind: 'typing', sender: 'bob', sessionId: 'b1', ttlMs: 6000 } });
    await tick();
  });
  // The Subscribed started a read of the member list; an event that arrives before the page is held back.
  const query = ws.frames('presence')[0]!;
  await act(async () => {
    ws.receive({ presence: { room: 'chat', joined: [{ userId: 'bob' }], users: '2', connections: '3', fromVersion: '4', version: '5', epoch: 'p' } });
    ws.receive({ presencePage: { requestId: query.requestId, room: 'chat', members: [{ userId: 'alice', devices: 2 }], users: '1', connections: '2', version: '4', epoch: 'p' } });
    await tick();
  });
  assert.equal(screen.getByTestId('messages').textContent, 'c,d');
  assert.equal(screen.getByTestId('typing').textContent, 'bob');
  assert.equal(screen.getByTestId('users').textContent, '2');
  assert.equal(screen.getByTestId('members').textContent, 'alice,bob');

  await act(async () => {
    screen.getByText('earlier').click();
    await tick();
  });
  const history = ws.frames('history')[0]!;
  await act(async () => {
    ws.receive({ historyPage: { requestId: history.requestId, room: 'chat', epoch: 'e', messages: [msg(8, 'a').message, msg(10, 'c').message], hasMore: false } });
    await tick();
  });
  assert.equal(screen.getByTestId('messages').textContent, 'a,c,d');
  assert.equal(screen.getByTestId('more').textContent, 'false');

  view.unmount();
  assert.deepEqual(ws.frames('unsubscribe').map((f) => f.room), ['chat']);
});
