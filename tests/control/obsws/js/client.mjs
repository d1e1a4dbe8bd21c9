// obs-websocket-js as a line-based bridge for the Python tests: it connects (with the password)
// and identifies with the given event subscriptions, then for each JSON line on stdin
// ({"id", "call", "data"} or {"id", "batch": [...], "options"}) makes that request and prints
// one JSON line with the reply; every event, the connection result and the close are printed
// as lines too. All of the protocol is obs-websocket-js's own.
//
// usage: node client.mjs URL PASSWORD EVENT_SUBSCRIPTIONS [msgpack|json]
// (msgpack: the package's default build in node; json: its 'obs-websocket-js/json' build)
import readline from 'node:readline';

const [url, password, subscriptions, encoding] = process.argv.slice(2);
const { default: OBSWebSocket } = await import(
  encoding === 'json' ? 'obs-websocket-js/json' : 'obs-websocket-js');
const out = (message) => process.stdout.write(`${JSON.stringify(message)}\n`);
const EVENTS = ['CurrentProgramSceneChanged', 'SceneItemEnableStateChanged',
  'SceneItemTransformChanged', 'InputSettingsChanged', 'StreamStateChanged',
  'SceneItemCreated', 'SceneItemRemoved'];

const obs = new OBSWebSocket();
for (const name of EVENTS) {
  obs.on(name, (data) => out({ event: name, data }));
}
obs.on('ConnectionClosed', (error) => out({ closed: error.code, message: error.message }));

try {
  const identified = await obs.connect(url, password || undefined,
    { eventSubscriptions: Number(subscriptions), rpcVersion: 1 });
  out({ connected: identified.negotiatedRpcVersion, hello: identified.obsWebSocketVersion });
} catch (error) {
  out({ connectError: error.code, message: error.message });
  process.exit(0);
}

const lines = readline.createInterface({ input: process.stdin });
for await (const line of lines) {
  const command = JSON.parse(line);
  try {
    const response = command.batch
      ? await obs.callBatch(command.batch, command.options)
      : await obs.call(command.call, command.data);
    out({ id: command.id, ok: true, response: response ?? null });
  } catch (error) {
    out({ id: command.id, ok: false, code: error.code, message: error.message });
  }
}
await obs.disconnect();
