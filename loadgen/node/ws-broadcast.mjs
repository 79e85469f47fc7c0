// The raw Node `ws` broadcast baseline of `./switchboard load compare`: one process, rooms in memory, no token
// check, no durability. It speaks the JSON subset of the Switchboard protocol (switchboard.v1.json) that the load
// generator uses: connect, subscribe, unsubscribe, publish (with ack), ping. A publish is encoded once and the
// same bytes are written to every subscriber of its room.
import { WebSocketServer } from 'ws';

const SUBPROTOCOL = 'switchboard.v1.json';
let port = 0;
for (let i = 2; i < process.argv.length; i++) {
  if (process.argv[i] === '--port' && i + 1 < process.argv.length) {
    port = Number(process.argv[++i]);
  } else {
    console.error(`unknown argument: ${process.argv[i]} (expected: [--port N])`);
    process.exit(2);
  }
}

const rooms = new Map(); // room -> { subscribers: Set<WebSocket>, position: number }
let sessions = 0;

function room(name) {
  let r = rooms.get(name);
  if (!r) {
    r = { subscribers: new Set(), position: 0 };
    rooms.set(name, r);
  }
  return r;
}

const server = new WebSocketServer({
  host: '127.0.0.1',
  port,
  path: '/ws',
  perMessageDeflate: false,
  handleProtocols: (offered) => (offered.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
});

server.on('connection', (socket) => {
  const joined = new Set();
  let sessionId = null;
  const reply = (frame) => socket.send(JSON.stringify(frame));
  socket.on('message', (data, isBinary) => {
    if (isBinary) {
      socket.close(1003, 'text frames only');
      return;
    }
    let frame;
    try {
      frame = JSON.parse(data.toString('utf8'));
    } catch {
      socket.close(3502, 'malformed frame');
      return;
    }
    if (frame.connect) {
      sessionId = `ws-${++sessions}`;
      reply({ connected: { sessionId, gatewayId: 'ws', serverTime: new Date().toISOString() } });
    } else if (!sessionId) {
      socket.close(3502, 'Connect first');
    } else if (frame.subscribe) {
      const { requestId, room: name } = frame.subscribe;
      joined.add(name);
      room(name).subscribers.add(socket);
      reply({ subscribed: { requestId, room: name, epoch: 'ws' } });
    } else if (frame.unsubscribe) {
      const { requestId, room: name } = frame.unsubscribe;
      joined.delete(name);
      room(name).subscribers.delete(socket);
      reply({ unsubscribed: { requestId, room: name } });
    } else if (frame.publish) {
      const p = frame.publish;
      const r = room(p.room);
      const position = String(++r.position);
      // Encoded once; every subscriber gets the same bytes as a text frame.
      const message = Buffer.from(JSON.stringify({ message: {
        room: p.room, position, id: p.id, sender: sessionId, payload: p.payload,
        contentType: p.contentType, timestamp: new Date().toISOString(), epoch: 'ws' } }));
      for (const s of r.subscribers) {
        s.send(message, { binary: false });
      }
      if (p.ack) {
        reply({ ack: { requestId: p.requestId, room: p.room, id: p.id, position, epoch: 'ws' } });
      }
    } else if (frame.ping) {
      reply({ pong: { nonce: frame.ping.nonce, serverTime: new Date().toISOString() } });
    } else {
      socket.close(3502, 'unknown frame');
    }
  });
  socket.on('close', () => {
    for (const name of joined) {
      room(name).subscribers.delete(socket);
    }
  });
});

server.on('listening', () => {
  console.log(`ws broadcast baseline listening on ws://127.0.0.1:${server.address().port}/ws`);
});
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    for (const client of server.clients) {
      client.terminate();
    }
    server.close(() => process.exit(0));
  });
}
