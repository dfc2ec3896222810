import { parseArgs } from 'node:util';

export type Backend = 'pglite' | 'postgres';

export interface BenchConfig {
  backends: Backend[];
  /** Copies of the 24 Synthea bundles (each copy is ~7,443 resources). */
  copies: number;
  /** Measured seconds per read run, after `warmup` seconds that are not counted. */
  duration: number;
  warmup: number;
  ingestClients: Record<Backend, number[]>;
  readClients: number[];
  floorInsertClients: number;
  floorSelectClients: number[];
  /** Seconds to wait, before each measurement, for the machine to go idle (other users' work). */
  quietWait: number;
  /** Write V8 CPU profiles of the server and summarize them. */
  profile: boolean;
  /** `confide start --workers N` for the PostgreSQL server (PGlite is always one process). */
  workers: number;
  /** Admin connection to the PostgreSQL server; scratch databases are created next to it. */
  postgresUrl: string;
  syntheaDir: string;
}

const USAGE = `Usage: npm run bench -- [options]   (each option also reads an env variable)
  --backend pglite|postgres|both   BENCH_BACKEND   (default both)
  --copies N                       BENCH_COPIES    copies of the Synthea set, ~7.4k resources each (default 4)
  --duration S                     BENCH_DURATION  measured seconds per read run (default 10)
  --warmup S                       BENCH_WARMUP    unmeasured seconds before each read run (default 3)
  --read-clients 1,8               BENCH_READ_CLIENTS
  --quiet-wait S                   BENCH_QUIET_WAIT before each measurement, wait up to S s for an idle machine (default 10)
  --profile                        BENCH_PROFILE=1 write server CPU profiles and print the top functions
  --workers N                      BENCH_WORKERS   server processes on PostgreSQL (confide start --workers; default 1)
  PostgreSQL: BENCH_DATABASE_URL or DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test)
`;

function list(v: string): number[] {
  const out = v.split(',').map((x) => Number(x.trim()));
  if (out.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`Expected a list of positive integers: ${v}`);
  return out;
}

function positive(name: string, v: string): number {
  const n = Number(v);
  if (!(n > 0)) throw new Error(`--${name} must be a positive number, not ${v}`);
  return n;
}

export function readConfig(argv: string[], env: NodeJS.ProcessEnv): BenchConfig | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      backend: { type: 'string', default: env.BENCH_BACKEND ?? 'both' },
      copies: { type: 'string', default: env.BENCH_COPIES ?? '4' },
      duration: { type: 'string', default: env.BENCH_DURATION ?? '10' },
      warmup: { type: 'string', default: env.BENCH_WARMUP ?? '3' },
      'read-clients': { type: 'string', default: env.BENCH_READ_CLIENTS ?? '1,8' },
      'quiet-wait': { type: 'string', default: env.BENCH_QUIET_WAIT ?? '10' },
      profile: { type: 'boolean', default: env.BENCH_PROFILE === '1' },
      workers: { type: 'string', default: env.BENCH_WORKERS ?? '1' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return undefined;
  }
  const backend = values.backend;
  if (backend !== 'pglite' && backend !== 'postgres' && backend !== 'both') throw new Error(`--backend must be pglite, postgres or both\n\n${USAGE}`);
  const workers = positive('workers', values.workers);
  if (!Number.isInteger(workers)) throw new Error('--workers must be an integer');
  const copies = positive('copies', values.copies);
  if (!Number.isInteger(copies)) throw new Error('--copies must be an integer');
  return {
    backends: backend === 'both' ? ['pglite', 'postgres'] : [backend],
    copies,
    duration: positive('duration', values.duration),
    warmup: Number(values.warmup),
    ingestClients: { pglite: [1, 2], postgres: [2] },
    readClients: list(values['read-clients']),
    floorInsertClients: 2,
    floorSelectClients: [1, 4, 8],
    quietWait: Number(values['quiet-wait']) || 0,
    profile: values.profile,
    workers,
    postgresUrl: env.BENCH_DATABASE_URL ?? env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    syntheaDir: env.BENCH_SYNTHEA_DIR ?? '/work/shared/data/synthea-r4',
  };
}
