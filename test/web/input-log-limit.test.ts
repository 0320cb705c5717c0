import t from 'tap';
import { startGateway } from '../../testkit/gateway.js';
import { waitFor } from '../../testkit/wait.js';

// Refused and bad HTTP requests are what a scanner or a broken client repeats without end:
// their log lines go through the log limiter (issue 12 item 6), the counters stay exact.

t.test(
  'a flood of refused and bad requests writes a few lines and one summary; every one counted',
  async (t) => {
    const g = await startGateway(t, { log: { rateLimit: { burst: 3, maxLines: 100, windowSeconds: 1 } } });
    const N = 60;
    for (let i = 0; i < N; i++) {
      t.equal((await fetch(`${g.httpUrl}/api/households`)).status, 401);
      t.equal((await g.api('/api/events?limit=not-a-number')).status, 400);
    }
    const lines = (msg: string, route: string) => g.logs.filter((l) => l.msg === msg && l.route === route);
    t.equal(lines('request refused', '/api/households').length, 3, 'the burst of refusals, then held back');
    t.equal(lines('bad request', '/api/events').length, 3, 'the burst of bad requests, then held back');
    t.match(lines('request refused', '/api/households')[0], { why: 'no_credentials', reqId: /./ });

    const isSummary = (l: Record<string, unknown>) =>
      String(l.msg).startsWith('repeated log lines held back');
    await waitFor(() => g.logs.some(isSummary), 5000, 'the window’s summary line');
    const summary = g.logs.find(isSummary);
    t.match(summary, {
      held: 2 * (N - 3),
      counts: { '/api/households no_credentials': N - 3, '/api/events 400': N - 3 },
    });
    const metrics = await (await g.api('/metrics')).text();
    t.match(metrics, new RegExp(`estate_gateway_http_refused_total\\{reason="no_credentials"\\} ${N}\\b`));
    t.match(
      metrics,
      new RegExp(`estate_gateway_http_bad_requests_total\\{route="/api/events",status="400"\\} ${N}\\b`),
    );
  },
);
