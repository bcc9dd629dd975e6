/**
 * Dataflow: a DAG of operators run once per epoch in topological (index) order.
 *
 *   nodes: 0 Filter(src 'bids'), 1 HashAggregate(node 0), output 1
 *   step({bids: [(row, +1)...]}) -> node 0 pushes port 0 with the source batch, node 1 pushes
 *   port 0 with node 0's output; the result is node 1's output.
 *
 * A node's inputs may only refer to lower-indexed nodes (checked in the constructor), so one pass
 * in index order is a valid schedule. A node's ports are pushed in port order (a join sees ΔL
 * before ΔR). Empty batches are not pushed. The same source or node may feed several ports.
 */
import type { ChangeBatch } from './change-batch.js';
import type { Operator, OperatorContext, StateEntry, WatermarkFn } from './operator.js';

export type NodeInput = { kind: 'source'; sourceId: string } | { kind: 'node'; node: number };

export interface DataflowNode {
  operator: Operator;
  /** inputs[i] feeds port i. */
  inputs: NodeInput[];
  /** For EXPLAIN. */
  label: string;
}

const EMPTY: ChangeBatch = Object.freeze({ rows: Object.freeze([]) as never, weights: Object.freeze([]) as never });

export class Dataflow {
  readonly nodes: readonly DataflowNode[];
  readonly outputNode: number;
  /** Per output column: its watermark, or null (read by MVs over this one). */
  readonly outputWatermarks: readonly (WatermarkFn | null)[];
  /** Whether some operator closes windows on watermarks (then watermark-only steps matter). */
  readonly usesWatermarks: boolean;
  /** Scratch: each node's output during one init()/step(). */
  private readonly outputs: (ChangeBatch | null)[];

  constructor(nodes: DataflowNode[], outputNode: number, outputWatermarks: (WatermarkFn | null)[] = []) {
    nodes.forEach((n, i) => {
      if (n.inputs.length !== n.operator.arity) {
        throw new Error(`dataflow node ${i} (${n.label}): ${n.inputs.length} inputs for an operator of arity ${n.operator.arity}`);
      }
      for (const inp of n.inputs) {
        if (inp.kind === 'node' && (inp.node < 0 || inp.node >= i)) {
          throw new Error(`dataflow node ${i} (${n.label}): input node ${inp.node} is not an earlier node`);
        }
      }
    });
    if (outputNode < 0 || outputNode >= nodes.length) throw new Error(`dataflow: output node ${outputNode} out of range`);
    this.nodes = nodes;
    this.outputNode = outputNode;
    this.outputs = new Array(nodes.length).fill(null);
    this.outputWatermarks = outputWatermarks;
    this.usesWatermarks = nodes.some((n) => n.operator.advance !== undefined && n.operator.closesOnWatermarks !== false);
  }

  /**
   * Runs every operator's init() and propagates those outputs downstream as pushes. Returns what
   * reaches the output node. Call once when the dataflow is first created, never after restore.
   */
  init(ctx: OperatorContext): ChangeBatch {
    const outs = this.outputs;
    for (let i = 0; i < this.nodes.length; i++) {
      const { operator, inputs } = this.nodes[i];
      let out = operator.init ? operator.init(ctx) : EMPTY;
      for (let p = 0; p < inputs.length; p++) {
        const inp = inputs[p];
        if (inp.kind !== 'node') continue;
        const b = outs[inp.node] as ChangeBatch;
        if (b.rows.length === 0) continue;
        out = appendOut(out, operator.push(p, b, ctx));
      }
      outs[i] = out;
    }
    return this.finish();
  }

  /**
   * Pushes one epoch's source batches through the graph, then lets each operator close what the
   * watermarks make final (advance); returns the output node's changes. An empty `sources` map is
   * a watermark-only step.
   */
  step(sources: ReadonlyMap<string, ChangeBatch>, ctx: OperatorContext): ChangeBatch {
    const outs = this.outputs;
    for (let i = 0; i < this.nodes.length; i++) {
      const { operator, inputs } = this.nodes[i];
      let out = EMPTY;
      for (let p = 0; p < inputs.length; p++) {
        const inp = inputs[p];
        const b = inp.kind === 'source' ? sources.get(inp.sourceId) : (outs[inp.node] as ChangeBatch);
        if (b === undefined || b.rows.length === 0) continue;
        out = appendOut(out, operator.push(p, b, ctx));
      }
      if (operator.advance !== undefined) out = appendOut(out, operator.advance(ctx));
      outs[i] = out;
    }
    return this.finish();
  }

  private finish(): ChangeBatch {
    const result = this.outputs[this.outputNode] as ChangeBatch;
    this.outputs.fill(null);
    return result === EMPTY ? { rows: [], weights: [] } : result;
  }

  /** Earliest processing time (µs) at which some operator wants a step without input. */
  nextWakeup(): number {
    let t = Infinity;
    for (const { operator } of this.nodes) if (operator.nextWakeup) t = Math.min(t, operator.nextWakeup());
    return t;
  }

  /** Dirty state of every stateful node since the last call. */
  takeDirty(): { node: number; entries: StateEntry[] }[] {
    const out: { node: number; entries: StateEntry[] }[] = [];
    this.nodes.forEach((n, i) => {
      if (!n.operator.takeDirty) return;
      const entries = n.operator.takeDirty();
      if (entries.length > 0) {
        out.push({ node: i, entries });
        this.sampleEntrySize(i, entries);
      }
    });
    return out;
  }

  /** Running mean of persisted entry sizes per node, for approximate state bytes. */
  private readonly entryBytes = new Map<number, number>();

  private sampleEntrySize(node: number, entries: StateEntry[]): void {
    let bytes = 0;
    let n = 0;
    for (let i = 0; i < entries.length && n < 64; i++) {
      const e = entries[i];
      if (e.value === null) continue;
      bytes += e.key.length + e.value.length;
      n++;
    }
    if (n === 0) return;
    const prev = this.entryBytes.get(node);
    const mean = bytes / n;
    this.entryBytes.set(node, prev === undefined ? mean : prev * 0.9 + mean * 0.1);
  }

  /** Per stateful node: state entries held and their approximate size (UTF-16 chars ≈ bytes). */
  stateStats(): { node: number; label: string; rows: number; bytes: number }[] {
    const out: { node: number; label: string; rows: number; bytes: number }[] = [];
    this.nodes.forEach((n, i) => {
      if (!n.operator.stateSize) return;
      const rows = n.operator.stateSize();
      const bytes = n.operator.stateBytes ? n.operator.stateBytes() : rows * (this.entryBytes.get(i) ?? 0);
      out.push({ node: i, label: n.label, rows, bytes: Math.round(bytes) });
    });
    return out;
  }

  /** Rebuilds node `node`'s state from persisted entries. */
  restore(node: number, entries: Iterable<StateEntry>): void {
    const op = this.nodes[node]?.operator;
    if (!op) throw new Error(`dataflow: no node ${node}`);
    if (!op.restore) throw new Error(`dataflow node ${node} (${this.nodes[node].label}) is stateless`);
    const list = [...entries];
    op.restore(list);
    this.sampleEntrySize(node, list);
  }

  /** Total state entries held by all operators. */
  stateSize(): number {
    let n = 0;
    for (const { operator } of this.nodes) n += operator.stateSize ? operator.stateSize() : 0;
    return n;
  }

  /** One line per node: "3: HashAggregate(...) <- node 2, source bids". */
  explain(): string[] {
    return this.nodes.map((n, i) => {
      const ins = n.inputs.map((x) => (x.kind === 'source' ? `source ${x.sourceId}` : `node ${x.node}`)).join(', ');
      return `${i}: ${n.label}${ins ? ' <- ' + ins : ''}${i === this.outputNode ? ' (output)' : ''}`;
    });
  }
}

/** Concatenates a node's per-port outputs without copying when one side is empty. */
function appendOut(acc: ChangeBatch, b: ChangeBatch): ChangeBatch {
  if (b.rows.length === 0) return acc;
  if (acc.rows.length === 0) return b;
  return { rows: acc.rows.concat(b.rows), weights: acc.weights.concat(b.weights) };
}
