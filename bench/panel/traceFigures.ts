/**
 * Main-thread work of one frame (a webview's document), read from a Chromium trace (the JSON of
 * `browser.stopTracing()`): script, style + layout and paint time, split into animation frames or
 * windows, and Long Tasks. In code-server the webview's frames share the renderer process and main
 * thread with the workbench (same site), so work is attributed to the frame by the frame id trace
 * events carry; the page-wide steps of a rendering update (pre-paint, layerize, commit) belong to
 * the workbench's frame and are not counted. CPU (thread) time is much less sensitive to machine
 * load than wall time.
 */

/** A Chromium trace event (the fields used here). */
interface TraceEvent {
  readonly name: string;
  readonly ph: string;
  readonly ts: number;
  readonly dur?: number;
  /** Thread (CPU) time of a complete event, when the trace records it. */
  readonly tdur?: number;
  readonly pid: number;
  readonly tid: number;
  readonly args?: {
    readonly data?: { readonly frame?: string; readonly url?: string };
    readonly beginData?: { readonly frame?: string; readonly dirtyObjects?: number; readonly totalObjects?: number };
    readonly endData?: { readonly layoutRoots?: readonly { readonly nodeId?: number; readonly depth?: number }[] };
  };
}

/** One Layout event of the frame: how many layout objects it had to lay out, of how many, and the depth of its roots (0: the document). */
export interface LayoutPass {
  readonly start: number;
  readonly dirtyObjects: number;
  readonly totalObjects: number;
  readonly rootDepths: readonly number[];
}

/** Where main-thread time goes, as DevTools' Performance panel groups it. */
export type Bucket = 'script' | 'layout' | 'paint' | 'other';

const BUCKET_OF: Readonly<Record<string, Bucket>> = {
  FunctionCall: 'script', EvaluateScript: 'script', 'v8.compile': 'script', 'v8.compileModule': 'script', 'v8.evaluateModule': 'script',
  TimerFire: 'script', FireAnimationFrame: 'script', EventDispatch: 'script', RunMicrotasks: 'script', 'V8.Execute': 'script',
  'v8.run': 'script', 'v8.callFunction': 'script', FireIdleCallback: 'script', MinorGC: 'script', MajorGC: 'script',
  'V8.GC_SCAVENGER': 'script', 'V8.GC_MARK_COMPACTOR': 'script', 'BlinkGC.AtomicPhase': 'script',
  UpdateLayoutTree: 'layout', RecalculateStyles: 'layout', Layout: 'layout', ParseAuthorStyleSheet: 'layout',
  PrePaint: 'paint', Paint: 'paint', PaintImage: 'paint', Layerize: 'paint', UpdateLayer: 'paint', UpdateLayerTree: 'paint', CompositeLayers: 'paint', Commit: 'paint',
};

/** Top-level task names: a task of 50 ms or more is a Long Task. */
const TASK_NAMES = new Set(['RunTask', 'ThreadControllerImpl::RunTask']);
export const LONG_TASK_MS = 50;

/** One complete event with its self time (its duration minus that of the events nested in it). */
interface Span {
  readonly name: string;
  readonly start: number;
  readonly end: number;
  /** Its own bucket, or the nearest enclosing event's that has one. */
  readonly bucket: Bucket;
  self: number;
  /** Self thread (CPU) time, µs; the wall self time when the trace has no thread times. */
  cpuSelf: number;
  /** Work of the traced frame: the event names it, or runs inside an event that does. */
  readonly ours: boolean;
  /** The outermost task it runs in (itself for a top-level task). */
  task: Span | undefined;
}

/** Milliseconds of main-thread work by bucket. */
export type Work = Record<Bucket, number>;

const noWork = (): Work => ({ script: 0, layout: 0, paint: 0, other: 0 });

const frameOf = (e: TraceEvent): string | undefined => e.args?.data?.frame ?? e.args?.beginData?.frame;

export class FrameTrace {
  private constructor(private readonly spans: readonly Span[], private readonly marks: ReadonlyMap<string, readonly number[]>, private readonly layoutPasses: readonly LayoutPass[]) {}

  /**
   * The frame that ran the script whose URL contains `scriptUrlPart` (the last such frame: a
   * torn-down webview may have run it before), with the marks its thread set from then on.
   * Undefined when no frame ran it.
   */
  static ofScript(trace: Buffer | string, scriptUrlPart: string): FrameTrace | undefined {
    const events = (JSON.parse(trace.toString()) as { traceEvents: TraceEvent[] }).traceEvents.sort((a, b) => a.ts - b.ts);
    const ran = events.filter((e) => e.name === 'FunctionCall' || e.name === 'EvaluateScript').filter((e) => e.args?.data?.url?.includes(scriptUrlPart) === true);
    const frame = ran.at(-1) !== undefined ? frameOf(ran.at(-1)!) : undefined;
    if (!frame) return undefined;
    const thread = ran.at(-1)!;
    const since = ran.find((e) => frameOf(e) === frame)!.ts;
    const own = events.filter((e) => e.pid === thread.pid && e.tid === thread.tid);
    const marks = new Map<string, number[]>();
    const complete: { name: string; start: number; end: number; cpu: number | undefined; frame: string | undefined }[] = [];
    const open = new Map<string, TraceEvent[]>();
    const layouts: LayoutPass[] = [];
    for (const e of own.sort((a, b) => a.ts - b.ts)) {
      if (e.name === 'Layout' && e.args?.beginData?.frame === frame && e.ts >= since) {
        layouts.push({ start: e.ts, dirtyObjects: e.args.beginData.dirtyObjects ?? 0, totalObjects: e.args.beginData.totalObjects ?? 0, rootDepths: (e.args.endData?.layoutRoots ?? []).map((r) => r.depth ?? -1) });
      }
      if (e.ph === 'X' && e.dur !== undefined) complete.push({ name: e.name, start: e.ts, end: e.ts + e.dur, cpu: e.tdur, frame: frameOf(e) });
      else if (e.ph === 'B') open.set(e.name, [...(open.get(e.name) ?? []), e]);
      else if (e.ph === 'E') {
        const b = open.get(e.name)?.pop();
        if (b) complete.push({ name: e.name, start: b.ts, end: e.ts, cpu: undefined, frame: frameOf(b) });
      } else if ((e.ph === 'R' || e.ph === 'I' || e.ph === 'i') && e.ts >= since) {
        marks.set(e.name, [...(marks.get(e.name) ?? []), e.ts]);
      }
    }
    // Outer events first: by start, the longer one first at equal start.
    complete.sort((a, b) => a.start - b.start || b.end - a.end);
    const spans: Span[] = [];
    const stack: Span[] = [];
    for (const c of complete) {
      while (stack.length > 0 && stack.at(-1)!.end <= c.start) stack.pop();
      const parent = stack.at(-1);
      const cpu = c.cpu ?? c.end - c.start;
      const span: Span = { name: c.name, start: c.start, end: c.end, ours: c.frame !== undefined ? c.frame === frame : parent?.ours === true, bucket: BUCKET_OF[c.name] ?? parent?.bucket ?? 'other', self: c.end - c.start, cpuSelf: cpu, task: parent?.task };
      if (!span.task && TASK_NAMES.has(c.name)) span.task = span;
      if (parent) {
        parent.self -= Math.min(span.end, parent.end) - span.start;
        parent.cpuSelf -= cpu;
      }
      spans.push(span);
      stack.push(span);
    }
    return new FrameTrace(spans, marks, layouts);
  }

  /** The frame's Layout passes started in [from, to) (trace µs). */
  layouts(from = -Infinity, to = Infinity): readonly LayoutPass[] {
    return this.layoutPasses.filter((l) => l.start >= from && l.start < to);
  }

  /** Trace times (µs) of a mark set on the frame's thread since it ran the script. */
  markTimes(name: string): readonly number[] {
    return this.marks.get(name) ?? [];
  }

  /** The frame's work started in [from, to) (trace µs), in ms by bucket: thread (CPU) time, or wall time with `wall`. */
  work(from = -Infinity, to = Infinity, wall = false): Work {
    const out = noWork();
    for (const s of this.spans) if (s.ours && s.start >= from && s.start < to) out[s.bucket] += Math.max(0, wall ? s.self : s.cpuSelf) / 1000;
    return out;
  }

  /** The frame's own wall time (ms) in each top-level task that ran some of its work, in [from, to). */
  frameTasks(from = -Infinity, to = Infinity): number[] {
    const byTask = new Map<Span, number>();
    for (const s of this.spans) if (s.ours && s.task && s.start >= from && s.start < to) byTask.set(s.task, (byTask.get(s.task) ?? 0) + Math.max(0, s.self) / 1000);
    return [...byTask.values()];
  }

  /** Top-level tasks of at least LONG_TASK_MS in [from, to) (ms): those that ran some of the frame's work, and all on the thread. */
  longTasks(from = -Infinity, to = Infinity): { withFrame: number; all: number } {
    const long = this.spans.filter((s) => s.task === s && s.start >= from && s.start < to && s.end - s.start >= LONG_TASK_MS * 1000);
    const withFrame = new Set(this.spans.filter((s) => s.ours && s.task && long.includes(s.task)).map((s) => s.task));
    return { withFrame: withFrame.size, all: long.length };
  }
}

/** Sum of the buckets. */
export function total(w: Work): number {
  return w.script + w.layout + w.paint + w.other;
}

/** "script 1.20 · style+layout 0.80 · paint 0.40 · other 0.10 ms", divided by `divideBy` (per frame). */
export function formatWork(w: Work, divideBy = 1): string {
  const f = (ms: number) => (ms / divideBy).toFixed(ms / divideBy < 10 ? 2 : 0);
  return `script ${f(w.script)} · style+layout ${f(w.layout)} · paint ${f(w.paint)} · other ${f(w.other)} ms`;
}

/** Categories that give the DevTools Performance panel's view of a thread, plus user timing marks. */
export const TRACE_CATEGORIES = ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'blink.user_timing', 'v8.execute', 'toplevel'];
