// Reads Observations by id over keep-alive HTTP/1.1: node bench/lib/keepalive-reads.mjs PORT COUNT TOKEN_FILE|none [CONCURRENCY]
// Ids come from the file named by IDS (one per line). Prints {"done","bad","ms"} as JSON. Used by read-instructions.sh.
import fs from 'node:fs';
import http from 'node:http';

const [port, count, tokenFile, concurrency = '1'] = process.argv.slice(2);
const token = tokenFile === 'none' ? undefined : fs.readFileSync(tokenFile, 'utf8').trim();
const ids = fs.readFileSync(process.env.IDS ?? 'ids.txt', 'utf8').trim().split('\n');
const agent = new http.Agent({ keepAlive: true, maxSockets: Number(concurrency) });
let next = 0;
let done = 0;
let bad = 0;
const started = Date.now();
async function client() {
  while (next < Number(count)) {
    const id = ids[next++ % ids.length];
    await new Promise((resolve) => {
      const headers = token ? { authorization: `Bearer ${token}` } : {};
      const req = http.get({ host: '127.0.0.1', port, path: `/fhir/R4/Observation/${id}`, agent, headers }, (res) => {
        if (res.statusCode !== 200) bad++;
        res.resume();
        res.on('end', resolve);
      });
      req.on('error', () => {
        bad++;
        resolve();
      });
    });
    done++;
  }
}
await Promise.all(Array.from({ length: Number(concurrency) }, client));
console.log(JSON.stringify({ done, bad, ms: Date.now() - started }));
agent.destroy();
