import { readFileSync, realpathSync } from 'node:fs';
import { loadavg } from 'node:os';
import { round } from '../testkit/stats.js';

/**
 * What the bench reads of a process from /proc (Linux): CPU time and memory. Wall-clock
 * throughput on a shared box moves with the other work on it; CPU time per read does much
 * less, so the bench reports both (issue 15).
 */

const CLK_TCK = 100; // USER_HZ: /proc/<pid>/stat counts in 1/100 s on Linux

/** utime + stime in ms from the text of /proc/<pid>/stat. */
export function parseStatCpuMs(stat: string): number {
  // Fields after the command name (which may hold spaces and parentheses): state is field 3,
  // utime 14, stime 15, so they are the 12th and 13th after the last ')'.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(f[11]) + Number(f[12]);
  if (!Number.isFinite(ticks)) throw new Error(`not a /proc/<pid>/stat line: ${stat.slice(0, 80)}`);
  return (ticks * 1000) / CLK_TCK;
}

/**
 * cutime + cstime in ms from the text of /proc/<pid>/stat: the CPU of the children the
 * process has waited for (loadgen.mjs, once its run has ended).
 */
export function parseStatChildrenCpuMs(stat: string): number {
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(f[13]) + Number(f[14]);
  if (!Number.isFinite(ticks)) throw new Error(`not a /proc/<pid>/stat line: ${stat.slice(0, 80)}`);
  return (ticks * 1000) / CLK_TCK;
}

/** CPU ms of this process's children that have exited and been waited for (0 off Linux). */
export function childrenCpuMs(): number {
  try {
    return parseStatChildrenCpuMs(readFileSync('/proc/self/stat', 'utf8'));
  } catch {
    return 0;
  }
}

/** utime + stime of a process, in ms (0 when it is gone or this is not Linux). */
export function cpuMs(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    return parseStatCpuMs(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return 0;
  }
}

/**
 * utime + stime of a process's main thread (its JavaScript and the GC pauses it waits in),
 * in ms: at saturation that thread is the gateway's bottleneck, while cpuMs also counts
 * the GC's and the JIT's helper threads. 0 when it is gone or this is not Linux.
 */
export function mainThreadCpuMs(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    return parseStatCpuMs(readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8'));
  } catch {
    return 0;
  }
}

function statusMB(pid: number | undefined, field: 'VmRSS' | 'VmHWM'): number | null {
  if (!pid) return null;
  try {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? round(Number(m[1]) / 1024, 1) : null;
  } catch {
    return null;
  }
}

/** Resident set size now, MB (null when the process is gone). */
export const rssMB = (pid: number | undefined) => statusMB(pid, 'VmRSS');

/** Peak resident set size so far (VmHWM), MB (null when the process is gone). */
export const peakRssMB = (pid: number | undefined) => statusMB(pid, 'VmHWM');

/** The box's 1-, 5- and 15-minute load average, to print beside every figure. */
export function loadAverage(): number[] {
  return loadavg().map((l) => round(l, 2));
}

/** CPU ms per unit of work between two cpuMs() readings (null when there was no work). */
export function perUnit(cpuBefore: number, cpuAfter: number, units: number): number | null {
  return units > 0 ? round((cpuAfter - cpuBefore) / units, 4) : null;
}

/** Where a process's resident memory is, MB, from /proc/<pid>/smaps (issue 15: what is in the RSS). */
export interface RssParts {
  /** Pages of the node binary (its code, V8's builtins, ICU data): file-backed. */
  binary: number;
  /** Other mapped files: shared libraries, better-sqlite3's addon, the database's -shm. */
  files: number;
  /** malloc's main arena (`[heap]`): SQLite's page cache, the addons' buffers, small ArrayBuffers. */
  malloc: number;
  /** Anonymous mappings: the V8 heap's pages, large ArrayBuffers, other malloc arenas, stacks. */
  anon: number;
  total: number;
}

/** Sums the Rss lines of a /proc/<pid>/smaps text by kind of mapping (see RssParts). */
export function parseSmaps(text: string, binaryPath = realpathSync(process.execPath)): RssParts {
  const kb = { binary: 0, files: 0, malloc: 0, anon: 0 };
  let kind: keyof typeof kb = 'anon';
  for (const line of text.split('\n')) {
    // A mapping's header: "start-end perms offset dev inode [path]"; its fields follow.
    const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ (\d+)\s*(.*)$/.exec(line);
    if (head) {
      const name = head[2] ?? '';
      if (name === binaryPath) kind = 'binary';
      else if (name === '[heap]') kind = 'malloc';
      else if (head[1] !== '0' && name.startsWith('/')) kind = 'files';
      else kind = 'anon';
    } else if (line.startsWith('Rss:')) kb[kind] += Number(line.split(/\s+/)[1]);
  }
  const mb = (k: number) => round(k / 1024, 1);
  return {
    binary: mb(kb.binary),
    files: mb(kb.files),
    malloc: mb(kb.malloc),
    anon: mb(kb.anon),
    total: mb(kb.binary + kb.files + kb.malloc + kb.anon),
  };
}

/** A process's RssParts now (null when it is gone or this is not Linux). */
export function rssParts(pid: number | undefined): RssParts | null {
  if (!pid) return null;
  try {
    return parseSmaps(readFileSync(`/proc/${pid}/smaps`, 'utf8'));
  } catch {
    return null;
  }
}
