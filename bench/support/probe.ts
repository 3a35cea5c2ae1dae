// Samples one URL sequentially on its own connection until stopped (SIGTERM), then prints the
// latencies as JSON (after a first line, ready, once it can be stopped): how long a request waits behind whatever else the server is doing.
// usage: node --import tsx bench/support/probe.ts <url> <interval ms>
import { Agent, request } from 'undici';

const [url, interval = '20'] = process.argv.slice(2);
const agent = new Agent({ connections: 1 });
const latencies: number[] = [];
let failures = 0;
let running = true;
process.on('SIGTERM', () => (running = false));
console.log('ready');

while (running) {
  const started = performance.now();
  try {
    const response = await request(url!, { dispatcher: agent });
    await response.body.dump();
    if (response.statusCode !== 200) failures++;
  } catch {
    failures++;
  }
  latencies.push(performance.now() - started);
  await new Promise((resolve) => setTimeout(resolve, Number(interval)));
}
await agent.close();
latencies.sort((a, b) => a - b);
const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? null;
console.log(JSON.stringify({ samples: latencies.length, failures, p50: at(0.5), p99: at(0.99), max: latencies.at(-1) ?? null }));
