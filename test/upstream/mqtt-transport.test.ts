import net from 'node:net';
import mqttPacket from 'mqtt-packet';
import t from 'tap';
import type { CloudEvent } from '../../core/cloudevent.js';
import { silentLogger } from '../../gateway/log.js';
import { MqttTransport } from '../../gateway/upstream/mqtt-transport.js';
import { waitForEvent } from '../../testkit/wait.js';

// Found when a test stopped waiting 300 ms before its end (issue 8): a gateway stopped
// while its upstream session is still being set up got the CONNACK after stop(), and the
// health publish on 'connect' threw inside MQTT.js (an uncaught exception at shutdown).

t.test(
  'stop() while the upstream CONNACK is still on its way: nothing is published, nothing throws',
  async (t) => {
    const sockets: net.Socket[] = [];
    const server = net.createServer((s) => {
      sockets.push(s);
      s.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    t.teardown(() => {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    });
    const { port } = server.address() as net.AddressInfo;
    const transport = new MqttTransport({
      url: `mqtt://127.0.0.1:${port}`,
      clientId: 'gw-stop-test',
      protocolVersion: 4,
      topicBase: 'estate/v1/SH-TEST',
      gatewayId: 'gw-t',
      reconnect: { minMs: 100, maxMs: 400 },
      log: silentLogger(),
    });
    // A health event is waiting, so 'connect' would publish it.
    transport.health({ type: 'estate.gateway.health' } as CloudEvent);
    const connected = waitForEvent<[net.Socket]>(server, 'connection');
    await transport.start();
    const [socket] = await connected;
    await waitForEvent(socket, 'data', () => true, 5000, 'the CONNECT');
    const stopped = transport.stop();
    const after: Buffer[] = [];
    socket.on('data', (b: Buffer) => after.push(b));
    socket.write(mqttPacket.generate({ cmd: 'connack', returnCode: 0, sessionPresent: false }));
    await stopped;
    t.notOk(transport.ready, 'not ready after stop');
    const publishes = Buffer.concat(after).includes(Buffer.from('estate/v1/SH-TEST/health'));
    t.notOk(publishes, 'no health published by a stopped transport');
  },
);
