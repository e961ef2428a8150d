// The stock socket.io-client against a real Guildhall: sign in with the handshake
// token, join a room, hear a message from someone else, send one, hear it back.
// Usage: node client.mjs <url> <token> <room> [transports, comma-separated; default
// polling upgraded to websocket]. Prints one JSON line per step.
import { io } from "socket.io-client";

const [url, token, room, transports] = process.argv.slice(2);
const say = (obj) => process.stdout.write(JSON.stringify(obj) + "\n");
const fail = (why) => {
  say({ step: "error", why: String(why) });
  process.exit(1);
};
setTimeout(() => fail("timeout"), 20000);

const options = { auth: { token }, reconnection: false };
if (transports) options.transports = transports.split(",");
const socket = io(url, options);
const waiters = new Map();
const next = (event) => new Promise((resolve) => waiters.set(event, resolve));
socket.onAny((event, data) => {
  const resolve = waiters.get(event);
  if (resolve) {
    waiters.delete(event);
    resolve(data);
  }
});
socket.on("connect_error", (err) => fail(`connect_error: ${err.message}`));

socket.on("connect", async () => {
  const joined = next("joined_room");
  const history = next("messages_history");
  const ack = await socket.timeout(5000).emitWithAck("join_room", { room });
  say({ step: "joined", ack, joined: await joined, history: await history });

  const fromOther = next("new_message");
  say({ step: "ready", transport: socket.io.engine.transport.name });
  say({ step: "heard", message: await fromOther });

  const own = next("new_message");
  const sent = await socket.timeout(5000).emitWithAck("send_message", {
    room,
    content: "hello from socket.io-client ✓",
    nonce: "js-1",
  });
  say({ step: "sent", ack: sent, echo: await own, transport: socket.io.engine.transport.name });
  socket.disconnect();
  process.exit(0);
});
