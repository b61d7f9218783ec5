/**
 * Summarises V8 CPU profiles (`.cpuprofile`, as `support/cpu-profile-hook.ts` or `--cpu-prof`
 * writes them): the functions with the most self time, and the workspace functions with the most
 * inclusive time (time in them and everything they call), each as `function file:line`.
 *
 *   SWC_NODE_PROJECT=tsconfig.runtime.json node -r @swc-node/register test/bench/profile-summary.ts [--all] tmp/prof/api-cases-list.cpuprofile [top]
 *
 * `--all`: inclusive time of every function, libraries and node's own included.
 *
 * Lines of TypeScript files are those of the code @swc-node/register compiled (1-based), which
 * can differ from the source by a few lines; the function name says where to look.
 */
import { readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const root = resolve(__dirname, '../..');

function where(frame: CallFrame): string {
  let url = frame.url.replace(/^file:\/\//, '');
  if (url.startsWith(root)) url = relative(root, url);
  if (url.includes('node_modules/')) url = url.slice(url.lastIndexOf('node_modules/') + 'node_modules/'.length);
  // A copy of the workspace elsewhere (a snapshot of a commit) reads as the workspace.
  else if (/\/(apps|libs|test)\//.test(url)) url = url.slice(url.search(/\/(apps|libs|test)\//) + 1);
  return url ? `${url}:${frame.lineNumber + 1}` : '(native)';
}

const label = (frame: CallFrame) => `${frame.functionName || '(anonymous)'}  ${where(frame)}`;

function summarise(file: string, top: number): void {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  // Time per sample: the delta to the next sample is the time spent in that sample's stack.
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i + 1] ?? 0)));
  const totalUs = [...selfUs.values()].reduce((s, v) => s + v, 0);
  const idleUs = [...selfUs.entries()].filter(([id]) => ['(idle)', '(program)', '(garbage collector)'].includes(byId.get(id)?.callFrame.functionName ?? '')).reduce((acc, [id, us]) => {
    const name = byId.get(id)?.callFrame.functionName as string;
    acc.set(name, (acc.get(name) ?? 0) + us);
    return acc;
  }, new Map<string, number>());

  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (!node) continue;
    self.set(label(node.callFrame), (self.get(label(node.callFrame)) ?? 0) + us);
    // Every distinct function on the stack gets the sample once (recursion counted once).
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const frame = byId.get(cur)?.callFrame;
      if (!frame) break;
      const key = label(frame);
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + us);
    }
  }
  const pct = (us: number) => `${((100 * us) / totalUs).toFixed(1).padStart(5)} %`;
  const msOf = (us: number) => `${(us / 1000).toFixed(0).padStart(7)} ms`;
  console.log(`\n${relative(process.cwd(), file)}: ${(totalUs / 1e6).toFixed(2)} s sampled; ${[...idleUs].map(([k, v]) => `${k} ${pct(v).trim()}`).join(', ')}`);
  console.log(`  self time, top ${top}:`);
  for (const [key, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${msOf(us)} ${pct(us)}  ${key}`);
  console.log(`  inclusive time of ${everything ? 'every function' : 'workspace code (apps/, libs/)'}, top ${top}:`);
  const ours = [...inclusive].filter(([key]) => everything || /\s(apps|libs)\//.test(key));
  for (const [key, us] of ours.sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${msOf(us)} ${pct(us)}  ${key}`);
}

const everything = process.argv.includes('--all');
const args = process.argv.slice(2).filter((a) => a !== '--all');
const topArg = args.length > 1 && /^\d+$/.test(args[args.length - 1] as string) ? Number(args.pop()) : 25;
if (args.length === 0) {
  console.error('usage: profile-summary.ts FILE.cpuprofile [FILE…] [top]');
  process.exit(2);
}
for (const file of args) summarise(file, topArg);
