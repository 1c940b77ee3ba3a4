import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AgentName } from './agents/index.js';
import { type BenchOptions } from './options.js';
import { type Receiver } from './receivers.js';
import { runChild } from './run-child.js';
import { taskFor } from './suite.js';

/** The parts of a V8 `.cpuprofile` (as written by `node --cpu-prof`) that a summary needs. */
export interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string };
    hitCount?: number;
    children?: number[];
  }[];
  samples?: number[];
  timeDeltas?: number[];
}

export interface CpuShare {
  /** A package (`windsock`, `@grpc/grpc-js`, `node:http`, ...), or `(idle)`, `(gc)`, `(program)`. */
  where: string;
  share: number;
}

export interface CpuSummary {
  totalMs: number;
  /**
   * Self time by the package whose work it was, largest first: Node.js internals and native frames are charged to
   * their nearest caller outside Node.js (the app, an agent package, grpc-js).
   */
  byPackage: CpuShare[];
  /** Self time by function (`name (package)`), largest first. */
  byFunction: CpuShare[];
}

/** Names the package a script URL belongs to: what a reader can act on, rather than a file path. */
export function packageOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) {
    const module = url.slice('node:'.length).replace(/^internal\//, '');
    return `node:${module.split('/')[0]!.replace(/\.js$/, '')}`;
  }
  const path = url.replace(/^file:\/\//, '');
  const inModules = path.lastIndexOf('/node_modules/');
  if (inModules >= 0) {
    const [scope, name] = path.slice(inModules + '/node_modules/'.length).split('/');
    return scope!.startsWith('@') ? `${scope}/${name}` : scope!;
  }
  const workspace = /\/(packages|apps)\/([^/]+)\//.exec(path);
  if (workspace !== null) {
    return workspace[1] === 'packages' && workspace[2] !== 'windsock'
      ? `@windsock/${workspace[2]}`
      : workspace[2]!;
  }
  return path;
}

/**
 * Self time per owning package and per function, from the samples (or hit counts when timings are absent). A
 * socket write or a native string copy says nothing on its own; whose work it was, the app's or an agent's, does.
 */
export function summarizeCpuProfile(profile: CpuProfile, top = 12): CpuSummary {
  const selfMs = new Map<number, number>();
  if (profile.samples !== undefined && profile.timeDeltas !== undefined) {
    profile.samples.forEach((id, index) => {
      selfMs.set(id, (selfMs.get(id) ?? 0) + (profile.timeDeltas![index] ?? 0) / 1000);
    });
  } else {
    for (const node of profile.nodes) selfMs.set(node.id, node.hitCount ?? 0);
  }
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parentOf.set(child, node.id);
  const nodeById = new Map(profile.nodes.map((node) => [node.id, node]));
  const isLibrary = (url: string) => url !== '' && !url.startsWith('node:');
  /** The nearest frame, this one included, that belongs to a package rather than to Node.js or V8. */
  const ownerOf = (id: number): string | undefined => {
    for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at)) {
      const frame = nodeById.get(at)!.callFrame;
      if (isLibrary(frame.url)) return packageOf(frame.url, frame.functionName);
    }
    return undefined;
  };
  const byPackage = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let totalMs = 0;
  for (const node of profile.nodes) {
    const ms = selfMs.get(node.id) ?? 0;
    if (ms === 0) continue;
    totalMs += ms;
    const own = packageOf(node.callFrame.url, node.callFrame.functionName);
    const owner = own.startsWith('(') && own !== '(native)' ? own : (ownerOf(node.id) ?? own);
    byPackage.set(owner, (byPackage.get(owner) ?? 0) + ms);
    const label = owner === own ? own : `${own}, for ${owner}`;
    const name = `${node.callFrame.functionName || '(anonymous)'} (${label})`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + ms);
  }
  const ranked = (map: Map<string, number>) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([where, ms]) => ({ where, share: totalMs === 0 ? 0 : ms / totalMs }));
  return { totalMs, byPackage: ranked(byPackage), byFunction: ranked(byFunction) };
}

export interface ProfiledRun {
  agent: AgentName;
  requestsPerSecond: number;
  summary: CpuSummary;
}

/**
 * Runs `agent` once more with the backend up, profiling the load window with the V8 sampling profiler: where the
 * time goes when a target is missed.
 */
export async function profileAgent(
  agent: AgentName,
  receiver: Receiver,
  options: BenchOptions,
): Promise<ProfiledRun> {
  const directory = await mkdtemp(join(tmpdir(), 'windsock-bench-profile-'));
  try {
    const cpuProfilePath = join(directory, `${agent}.cpuprofile`);
    await receiver.setState('up');
    receiver.clear();
    const result = await runChild({ ...taskFor(agent, receiver.address, options), cpuProfilePath });
    const profile = JSON.parse(await readFile(cpuProfilePath, 'utf8')) as CpuProfile;
    return {
      agent,
      requestsPerSecond: result.requestsPerSecond,
      summary: summarizeCpuProfile(profile),
    };
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}
