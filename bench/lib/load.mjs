// One load measurement, run as its own process so the load generator never shares an event loop
// (or a core's time slice bookkeeping) with the bench's orchestration. Input: one JSON argument;
// output: one JSON line on stdout.
//   cookie:      every connection sends this one cookie (one hot session);
//   cookiesFile: a file of cookies, one per line, split into one contiguous slice per connection;
//                each connection sends its slice's cookies in turn, so with as many cookies as
//                connections each connection keeps its own session, and with a large pool each
//                request carries a different session's cookie and no two connections share one.
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';

const { url, duration, connections, cookie, cookiesFile } = JSON.parse(process.argv[2]);

let setupClient;
/** When the last connection was set up: building 10,000 requests takes a while, before any is sent. */
let setUp;
if (cookiesFile) {
  const cookies = readFileSync(cookiesFile, 'utf8').split('\n').filter(Boolean);
  if (cookies.length < connections) throw new Error(`${cookies.length} cookies for ${connections} connections`);
  // Each request is built once, when its connection is set up (autocannon rebuilds a request only
  // when it has a setupRequest), so rotating through a pool costs the load generator no more per
  // request than one hot cookie does.
  const slices = Array.from({ length: connections }, (_, index) =>
    cookies
      .slice(
        Math.floor((index * cookies.length) / connections),
        Math.floor(((index + 1) * cookies.length) / connections),
      )
      .map((value) => ({ headers: { cookie: value } })),
  );
  let nextSlice = 0;
  setupClient = (client) => {
    client.setRequests(slices[nextSlice++ % connections]);
    setUp = performance.now();
  };
}

const called = performance.now();
const result = await autocannon({
  url,
  connections,
  duration,
  pipelining: 1,
  headers: cookie ? { cookie } : {},
  setupClient,
  // Servers on a busy two-core machine can stall; 10 s without an answer counts as an error.
  timeout: 10,
});
// autocannon's clock starts before the connections are set up; the time spent building a pool's
// requests (about 0.15 s for 10,000) is no time the server was under load.
const seconds = result.duration - (setUp === undefined ? 0 : (setUp - called) / 1000);
const completed = result['1xx'] + result['2xx'] + result['3xx'] + result['4xx'] + result['5xx'];
process.stdout.write(
  JSON.stringify({
    ok2xx: result['2xx'],
    completed,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    seconds,
    rps: result['2xx'] / seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    statusCodes: result.statusCodeStats,
  }) + '\n',
);
