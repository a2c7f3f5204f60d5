// The call graph of all functions, cut into the waves in which their summaries can be computed:
// strongly connected components (Tarjan, iterative), each placed one level above the highest of
// the components it calls. Components of one level call none of each other, so they may be
// analyzed at the same time, in any order, anywhere.

export interface GraphFunction {
  name: string;
  file: string;
  callees: readonly string[];
}

export interface Component {
  /** Indexes into the function list, in list order. */
  members: number[];
  /** A cycle (or a function calling itself): its summaries are iterated to a fixed point. */
  recursive: boolean;
}

/** Components by level: level 0 calls no other function of the list. */
export function summaryWaves(functions: readonly GraphFunction[]): Component[][] {
  const edges = callEdges(functions);
  const components = stronglyConnected(functions.length, edges);
  const componentOf = new Int32Array(functions.length);
  components.forEach((component, index) => {
    for (const member of component.members) componentOf[member] = index;
  });
  // Tarjan emits callees before callers, so every callee's level is known when its caller's is set.
  const levels: number[] = [];
  const waves: Component[][] = [];
  components.forEach((component, index) => {
    let level = 0;
    for (const member of component.members) {
      for (const target of edges[member]) {
        const callee = componentOf[target];
        if (callee !== index) level = Math.max(level, levels[callee] + 1);
      }
    }
    levels.push(level);
    (waves[level] ??= []).push(component);
  });
  return waves;
}

function callEdges(functions: readonly GraphFunction[]): number[][] {
  const byName = new Map<string, number[]>();
  functions.forEach((fn, index) => {
    const namesakes = byName.get(fn.name);
    if (namesakes) namesakes.push(index);
    else byName.set(fn.name, [index]);
  });
  return functions.map((fn) => {
    const targets: number[] = [];
    for (const name of fn.callees) {
      // Most callees are APIs, with no body among the functions.
      const candidates = byName.get(name);
      if (candidates === undefined) continue;
      if (candidates.length === 1) {
        targets.push(candidates[0]);
        continue;
      }
      // A static helper in the same file wins over a namesake elsewhere.
      const local = candidates.filter((candidate) => functions[candidate].file === fn.file);
      targets.push(...(local.length > 0 ? local : candidates));
    }
    return targets;
  });
}

function stronglyConnected(count: number, edges: readonly number[][]): Component[] {
  const index = new Int32Array(count).fill(-1);
  const low = new Int32Array(count);
  const onStack = new Uint8Array(count);
  const stack: number[] = [];
  const components: Component[] = [];
  let counter = 0;
  for (let root = 0; root < count; root++) {
    if (index[root] !== -1) continue;
    const work: { node: number; next: number }[] = [{ node: root, next: 0 }];
    index[root] = low[root] = counter++;
    stack.push(root);
    onStack[root] = 1;
    while (work.length > 0) {
      const frame = work[work.length - 1];
      const targets = edges[frame.node];
      if (frame.next < targets.length) {
        const target = targets[frame.next++];
        if (index[target] === -1) {
          index[target] = low[target] = counter++;
          stack.push(target);
          onStack[target] = 1;
          work.push({ node: target, next: 0 });
        } else if (onStack[target] === 1) {
          low[frame.node] = Math.min(low[frame.node], index[target]);
        }
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1].node;
        low[parent] = Math.min(low[parent], low[frame.node]);
      }
      if (low[frame.node] === index[frame.node]) {
        const members: number[] = [];
        let member: number;
        do {
          member = stack.pop()!;
          onStack[member] = 0;
          members.push(member);
        } while (member !== frame.node);
        members.sort((a, b) => a - b);
        components.push({ members, recursive: members.length > 1 || edges[frame.node].includes(frame.node) });
      }
    }
  }
  return components;
}
