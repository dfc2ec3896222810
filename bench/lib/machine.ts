import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { REPO_ROOT } from './server-process.ts';

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  os: string;
  node: string;
  pglite: string;
  postgres?: string;
  postgresSettings?: Record<string, string>;
  gitCommit: string;
}

function packageVersion(name: string): string {
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string };
    return pkg.version;
  } catch {
    return 'unknown';
  }
}

function gitCommit(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim() !== '';
    return dirty ? `${head} (with uncommitted changes)` : head;
  } catch {
    return 'unknown';
  }
}

const PG_SETTINGS = ['shared_buffers', 'synchronous_commit', 'fsync', 'wal_level', 'max_connections'];

/** What the numbers were measured on; PostgreSQL is asked only when a URL is given. */
export async function machineInfo(postgresUrl?: string): Promise<MachineInfo> {
  const info: MachineInfo = {
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    pglite: packageVersion('@electric-sql/pglite'),
    gitCommit: gitCommit(),
  };
  if (postgresUrl) {
    const c = new pg.Client({ connectionString: postgresUrl });
    await c.connect();
    try {
      info.postgres = (await c.query<{ server_version: string }>('SHOW server_version')).rows[0].server_version;
      info.postgresSettings = {};
      for (const s of PG_SETTINGS) info.postgresSettings[s] = (await c.query(`SHOW ${s}`)).rows[0][s] as string;
    } finally {
      await c.end();
    }
  }
  return info;
}
