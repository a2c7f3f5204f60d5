// The simulated world: channels, packets and incoming completions moving through the KMCL machine
// of KMCL.md, with a virtual clock, the scriptable host and fault injection; the lifecycle tracker
// (tracker.ts) records what happens.
// The KMCL functions (api.ts) check their arguments and call the transition methods here.
import type { KmclEventListener } from "./events";
import { FaultInjector } from "./faults";
import {
  ChannelObject,
  CompletionObject,
  type EvtVmbChannelProcessPacket,
  type EvtVmbChannelProcessingComplete,
  type EvtVmbPacketCompletionRoutine,
  type HandleObject,
  PacketObject,
  type QueuedDelivery,
  type VMBCHANNEL,
  describeHandle,
  simulatedPacketObjectSize,
} from "./handles";
import { type ResolvedReply, SimulatedHost } from "./host";
import { type HostRequest, type ResolvedOptions, type SimulationMode, type SimulationOptions, resolveOptions } from "./options";
import type { HandleDescription, SimulationReport } from "./report";
import { Scheduler } from "./scheduler";
import { announceSimulation } from "./simulationWatchers";
import { LifecycleTracker, describeHandleObject } from "./tracker";
import { type CapturedStack, type StackCutPoint, enableSourceMaps } from "./stacks";
import {
  type NTSTATUS,
  STATUS_BUFFER_TOO_SMALL,
  STATUS_CANCELLED,
  STATUS_INVALID_DEVICE_STATE,
  STATUS_INVALID_HANDLE,
  STATUS_INVALID_PARAMETER,
  STATUS_IO_TIMEOUT,
  STATUS_NOT_FOUND,
  STATUS_SUCCESS,
  VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION,
  VMBUS_CHANNEL_PROCESS_PACKET_FLAG_EXTERNAL_DATA,
  areKnownSendFlags,
  formatStatus,
} from "./status";
import { KmclViolation, type ViolationRecord } from "./violations";

let nextSimulationId = 1;

export interface ChannelOptions {
  /** Enable the channel right away (the default); false leaves it allocated for VmbChannelInit* calls. */
  enabled?: boolean;
  isServer?: boolean;
  lookasideCapacity?: number;
  processPacket?: EvtVmbChannelProcessPacket;
  processingComplete?: EvtVmbChannelProcessingComplete;
}

const channelOptionKeys: readonly string[] = ["enabled", "isServer", "lookasideCapacity", "processPacket", "processingComplete"];

export class Simulation {
  readonly id: number;
  readonly mode: SimulationMode;
  readonly seed: number;
  readonly host: SimulatedHost;
  private readonly options: ResolvedOptions;
  private readonly scheduler = new Scheduler();
  private readonly faults: FaultInjector;
  private readonly tracker: LifecycleTracker;
  private readonly liveChannels = new Set<ChannelObject>();
  private channelCount = 0;
  /** Rejections of async driver callbacks, rethrown by the next run or finish. */
  private readonly callbackErrors: unknown[] = [];
  /** Async driver callbacks still running; settled ones remove themselves. */
  private readonly pendingCallbacks = new Set<Promise<void>>();
  private outstandingPackets = 0;
  private nextHandleId = 1;
  private report: SimulationReport | undefined;

  constructor(options?: SimulationOptions) {
    this.options = resolveOptions(options);
    this.id = nextSimulationId++;
    this.mode = this.options.mode;
    this.seed = this.options.seed;
    this.faults = new FaultInjector(this.options.faults, this.seed);
    this.tracker = new LifecycleTracker({ ...this.options, simulationId: this.id }, () => this.scheduler.now);
    this.host = new SimulatedHost(this.options.host, { scheduleDelivery: (...args) => this.scheduleDelivery(...args) }, this.options.historyLimit);
    if (this.options.sourceMaps) enableSourceMaps();
    this.tracker.emit("simulation-start", undefined, undefined, undefined, { message: `seed ${this.seed}, ${this.mode} mode` });
    announceSimulation(this);
  }

  /** Virtual time in milliseconds. */
  get now(): number {
    return this.scheduler.now;
  }

  get finished(): boolean {
    return this.report !== undefined;
  }

  /** Violations so far (the report has them all at the end). */
  get violations(): readonly ViolationRecord[] {
    return this.tracker.violations;
  }

  /** Scheduled work not yet run: completions and deliveries. */
  get pendingWork(): number {
    return this.scheduler.pendingCount;
  }

  /** Listens to this simulation's events; returns the unsubscribe function. */
  subscribe(listener: KmclEventListener): () => void {
    return this.tracker.subscribe(listener);
  }

  /** A channel ready for traffic: allocated and (by default) enabled, its callbacks set. */
  createChannel(options: ChannelOptions = {}): VMBCHANNEL {
    this.assertRunning("createChannel");
    if (typeof options !== "object" || options === null) throw new TypeError("createChannel: expected an options object");
    for (const key of Object.keys(options)) {
      if (!channelOptionKeys.includes(key)) throw new TypeError(`createChannel: unknown option "${key}" (known: ${channelOptionKeys.join(", ")})`);
    }
    const channel = this.allocateChannel(options.isServer ?? false, this.createChannel, options.lookasideCapacity);
    if (options.processPacket !== undefined || options.processingComplete !== undefined) {
      this.setProcessPacketCallbacks(channel, options.processPacket, options.processingComplete, this.createChannel);
    }
    if (options.enabled ?? true) this.enableChannel(channel, this.createChannel);
    return channel;
  }

  /** Runs every scheduled completion and delivery, moving the clock forward as needed. Returns the steps run. */
  runUntilIdle(): number {
    this.assertRunning("runUntilIdle");
    const steps = this.scheduler.run(undefined, this.options.maxStepsPerRun);
    this.rethrowCallbackErrors();
    return steps;
  }

  /**
   * Like runUntilIdle, but yields to the event loop after each step and also waits for async driver
   * callbacks (an `async` completion routine awaiting something) to settle, since their
   * continuations may send, free or complete more. A callback that never settles never goes idle.
   */
  async runUntilIdleAsync(): Promise<number> {
    this.assertRunning("runUntilIdleAsync");
    let steps = 0;
    for (;;) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      this.rethrowCallbackErrors();
      if (this.finished) break;
      if (this.scheduler.step()) {
        if (++steps >= this.options.maxStepsPerRun) throw new Error(`the simulation did not go idle after ${steps} steps`);
        continue;
      }
      if (this.pendingCallbacks.size === 0) break;
      await Promise.race(this.pendingCallbacks);
    }
    return steps;
  }

  /** Moves the virtual clock forward by `ms`, running what falls due. Returns the steps run. */
  advance(ms: number): number {
    this.assertRunning("advance");
    if (typeof ms !== "number" || !Number.isFinite(ms) || ms < 0) throw new TypeError(`advance: expected a non-negative number of milliseconds, got ${String(ms)}`);
    const steps = this.scheduler.run(this.scheduler.now + ms, this.options.maxStepsPerRun);
    this.rethrowCallbackErrors();
    return steps;
  }

  /**
   * Ends the run: drains scheduled work (unless `drain` is false), reports what is still held —
   * packets the driver owns (packet-leak), incoming packets never completed (completion-leak),
   * channels never cleaned up (channel-leak) — and returns the report. Leaks are recorded, not
   * thrown, in both modes. Calling it again returns the same report; any other use afterwards
   * is a TypeError.
   */
  finish(options: { drain?: boolean } = {}): SimulationReport {
    if (this.report) return this.report;
    if (options.drain ?? true) this.runUntilIdle();
    for (const channel of this.liveChannels) {
      this.reportHeldResources(channel, "finish", this.finish);
      this.tracker.violate("channel-leak", channel, "finish", `${describeHandle(channel)} was never released with VmbChannelCleanup`, this.finish, false);
    }
    this.tracker.emit("simulation-finish", undefined, undefined, undefined, { message: `${this.tracker.stats.violations} violations` });
    this.tracker.stats.virtualTimeMs = this.scheduler.now;
    const log = this.tracker.eventLogSnapshot();
    this.report = {
      simulationId: this.id,
      seed: this.seed,
      mode: this.mode,
      ok: this.tracker.stats.violations === 0,
      violations: [...this.tracker.violations],
      violationsDropped: this.tracker.violationsDropped,
      events: log.events,
      eventsDropped: log.dropped,
      stats: { ...this.tracker.stats },
    };
    return this.report;
  }

  /** A handle by id: live ones, and dead ones still in the bounded history. */
  describeHandle(id: number): HandleDescription | undefined {
    for (const handle of this.liveHandleObjects()) if (handle.id === id) return describeHandleObject(handle);
    const dead = this.tracker.findRetired(id);
    return dead && describeHandleObject(dead);
  }

  /** Every live channel, packet and pending completion. */
  liveHandles(): HandleDescription[] {
    return [...this.liveHandleObjects()].map(describeHandleObject);
  }

  // ---- transitions: called by the KMCL functions of api.ts, which check the arguments first (@internal) ----

  /**
   * @internal The hot KMCL functions capture their call site themselves, right where they are
   * called: each frame V8 must skip above the cut point makes a capture dearer.
   */
  wantsAllocationSite(): boolean {
    return this.tracker.wantsAllocationSite(this.nextHandleId);
  }

  /** @internal */
  wantsTransitionSite(handle: HandleObject): boolean {
    return this.tracker.wantsTransitionSite(handle.id);
  }

  /** @internal */
  get stackDepth(): number {
    return this.tracker.stackDepth;
  }

  // ---- channels ----

  /** @internal */
  allocateChannel(isServer: boolean, callee: StackCutPoint, lookasideCapacity = this.options.lookasideCapacity): ChannelObject {
    this.assertRunning("VmbChannelAllocate");
    if (!Number.isInteger(lookasideCapacity) || lookasideCapacity < 0) throw new TypeError(`lookasideCapacity: expected a non-negative integer, got ${lookasideCapacity}`);
    const channel = new ChannelObject(this, this.nextHandleId++, this.id, isServer, this.channelCount++, lookasideCapacity, this.scheduler.now);
    channel.stacks.allocated = this.tracker.allocationSite(callee, channel.id);
    this.liveChannels.add(channel);
    this.tracker.stats.channelsAllocated++;
    this.tracker.emitFor("allocate", channel);
    for (const script of this.host.incomingFor(channel.index)) {
      const delay = Math.max(0, (script.atMs ?? 0) - this.scheduler.now);
      this.host.deliver(channel, script.payload, { delayMs: delay, externalData: script.externalData });
    }
    return channel;
  }

  /** @internal */
  setProcessPacketCallbacks(
    channel: ChannelObject,
    processPacket: EvtVmbChannelProcessPacket | undefined,
    processingComplete: EvtVmbChannelProcessingComplete | undefined,
    callee: StackCutPoint,
  ): NTSTATUS {
    if (!this.checkChannelLive(channel, "VmbChannelInitSetProcessPacketCallbacks", callee)) return STATUS_INVALID_HANDLE;
    if (processPacket !== undefined && processPacket !== null && typeof processPacket !== "function") throw new TypeError("VmbChannelInitSetProcessPacketCallbacks: the process-packet callback must be a function");
    if (processingComplete !== undefined && processingComplete !== null && typeof processingComplete !== "function") throw new TypeError("VmbChannelInitSetProcessPacketCallbacks: the processing-complete callback must be a function");
    if (channel.state === "enabled") return STATUS_INVALID_DEVICE_STATE;
    channel.processPacket = processPacket ?? undefined;
    channel.processingComplete = processingComplete ?? undefined;
    return STATUS_SUCCESS;
  }

  /** @internal */
  enableChannel(channel: ChannelObject, callee: StackCutPoint): NTSTATUS {
    if (!this.checkChannelLive(channel, "VmbChannelEnable", callee)) return STATUS_INVALID_HANDLE;
    if (channel.state === "enabled") return STATUS_INVALID_DEVICE_STATE;
    channel.state = "enabled";
    this.tracker.emitFor("enable", channel);
    const queued = channel.queuedDeliveries.splice(0);
    for (const delivery of queued) this.scheduler.schedule(0, () => this.deliverNow(channel, delivery));
    return STATUS_SUCCESS;
  }

  /** Stops traffic: packets in flight are completed with STATUS_CANCELLED, in send order. @internal */
  disableChannel(channel: ChannelObject, callee: StackCutPoint): void {
    if (!this.checkChannelLive(channel, "VmbChannelDisable", callee)) return;
    if (channel.state !== "enabled") return;
    channel.state = "disabled";
    this.tracker.emitFor("disable", channel);
    const inFlight = [...channel.outstandingPackets, ...channel.callerPackets].filter((packet) => packet.state === "in-flight");
    inFlight.sort((a, b) => a.id - b.id);
    // Every packet is cancelled even when a completion routine throws (a strict-mode violation in
    // it, say): the first error is rethrown once none is left in flight.
    let firstError: { error: unknown } | undefined;
    for (const packet of inFlight) {
      this.tracker.stats.packetsCancelled++;
      try {
        this.completeSentPacket(packet, packet.sendGeneration, STATUS_CANCELLED, null);
      } catch (error) {
        firstError ??= { error };
      }
    }
    if (firstError) throw firstError.error;
  }

  /** @internal */
  cleanupChannel(channel: ChannelObject, callee: StackCutPoint): void {
    this.assertRunning("VmbChannelCleanup");
    if (channel.state === "cleaned-up") {
      this.tracker.violate("double-free", channel, "VmbChannelCleanup", `${describeHandle(channel)} was already cleaned up at ${this.tracker.siteText(channel.stacks.cleanedUp)}`, callee, true);
      return;
    }
    // A completion routine that faults while its packet is cancelled must not stop the cleanup
    // half-way: the channel is released first, then the error is rethrown.
    let cancellationError: { error: unknown } | undefined;
    if (channel.state === "enabled") {
      try {
        this.disableChannel(channel, callee);
      } catch (error) {
        cancellationError = { error };
      }
    }
    const leaks = this.reportHeldResources(channel, "VmbChannelCleanup", callee);
    channel.queuedDeliveries.length = 0;
    // Caller memory is the driver's own: unusable with this channel gone, but not leaked.
    for (const packet of channel.callerPackets) packet.state = "orphaned";
    channel.callerPackets.clear();
    channel.state = "cleaned-up";
    channel.cleanedUpTime = this.scheduler.now;
    channel.stacks.cleanedUp = this.tracker.transitionSite(callee, channel.id);
    this.liveChannels.delete(channel);
    this.tracker.retire(channel);
    this.tracker.stats.channelsCleanedUp++;
    this.tracker.emitFor("cleanup", channel);
    if (cancellationError) throw cancellationError.error;
    if (this.mode === "strict" && leaks.length > 0) {
      const first = leaks[0]!;
      const more = leaks.length > 1 ? ` (and ${leaks.length - 1} more held resource${leaks.length > 2 ? "s" : ""})` : "";
      throw new KmclViolation({ ...first, message: `${first.message}${more}` });
    }
  }

  /** @internal */
  sizeofPacket(channel: ChannelObject, callee: StackCutPoint): number {
    this.checkChannelLive(channel, "VmbChannelSizeofPacket", callee);
    return simulatedPacketObjectSize;
  }

  /** The host answers synchronously; the caller's clock waits for it (scheduled work runs meanwhile). @internal */
  sendSynchronousRequest(
    channel: ChannelObject,
    payload: Uint8Array,
    flags: number,
    completionBuffer: Uint8Array | null,
    completionBufferSize: { value: number | null } | null,
    timeoutMs: number | undefined,
    callee: StackCutPoint,
  ): NTSTATUS {
    if (!this.checkChannelLive(channel, "VmbChannelSendSynchronousRequest", callee)) return STATUS_INVALID_HANDLE;
    if (!areKnownSendFlags(flags)) return STATUS_INVALID_PARAMETER;
    if (channel.state !== "enabled") return STATUS_INVALID_DEVICE_STATE;
    this.tracker.stats.synchronousRequests++;
    this.tracker.emitFor("send", channel, { by: "synchronous-request" });
    const reply = this.host.decide(this.hostRequest(channel, 0, payload, flags, true));
    const timeout = timeoutMs ?? this.options.synchronousTimeoutMs;
    if (reply.action === "drop" || reply.delayMs > timeout) {
      this.advanceWithin(timeout);
      return STATUS_IO_TIMEOUT;
    }
    this.advanceWithin(reply.delayMs + this.faults.completionDelayMs);
    const response = reply.response ?? payload;
    if (completionBufferSize) completionBufferSize.value = response.length;
    if (completionBuffer) {
      if (response.length > completionBuffer.length) return STATUS_BUFFER_TOO_SMALL;
      completionBuffer.set(response);
    }
    return reply.status;
  }

  // ---- packets ----

  /** @internal */
  allocatePacket(channel: ChannelObject, callee: StackCutPoint, site: CapturedStack | undefined): PacketObject | null {
    if (!this.checkChannelLive(channel, "VmbPacketAllocate", callee)) return null;
    if (this.faults.failsAllocation()) {
      this.tracker.stats.allocationFailures++;
      this.tracker.emit("allocate-failed", "packet", undefined, undefined, { by: "fault", message: `channel #${channel.id}` });
      return null;
    }
    if (channel.outstandingPackets.size >= channel.lookasideCapacity) {
      this.tracker.stats.allocationFailures++;
      this.tracker.stats.lookasideExhausted++;
      this.tracker.emit("allocate-failed", "packet", undefined, undefined, { by: "lookaside-exhausted", message: `channel #${channel.id}` });
      return null;
    }
    const packet = new PacketObject(this, this.nextHandleId++, this.id, "lookaside", channel, 0);
    packet.allocatedTime = this.scheduler.now;
    if (site) packet.stacks.allocated = site;
    channel.outstandingPackets.add(packet);
    this.tracker.stats.packetsAllocated++;
    if (++this.outstandingPackets > this.tracker.stats.peakOutstandingPackets) this.tracker.stats.peakOutstandingPackets = this.outstandingPackets;
    this.tracker.emitFor("allocate", packet);
    return packet;
  }

  /** @internal */
  initializePacket(channel: ChannelObject, memory: PacketObject, byteCount: number, callee: StackCutPoint): NTSTATUS {
    if (!this.checkChannelLive(channel, "VmbPacketInitialize", callee)) return STATUS_INVALID_HANDLE;
    if (memory.owner !== undefined && memory.owner !== this) {
      throw new TypeError(`VmbPacketInitialize: this caller memory holds ${describeHandle(memory)} of simulation #${memory.simulationId}, not of simulation #${this.id}`);
    }
    if (memory.state === "in-flight") {
      this.tracker.violate("use-in-flight", memory, "VmbPacketInitialize", `${describeHandle(memory)} was re-initialized while in flight (sent at ${this.tracker.siteText(memory.stacks.sent)})`, callee, true);
      return STATUS_INVALID_DEVICE_STATE;
    }
    if (!Number.isInteger(byteCount) || byteCount > memory.byteCount) return STATUS_INVALID_PARAMETER;
    if (byteCount < simulatedPacketObjectSize) return STATUS_BUFFER_TOO_SMALL;
    if (memory.owner === undefined) {
      memory.owner = this;
      memory.id = this.nextHandleId++;
      memory.simulationId = this.id;
    }
    memory.channel?.callerPackets.delete(memory);
    memory.channel = channel;
    channel.callerPackets.add(memory);
    memory.state = "allocated";
    memory.completionRoutine = undefined;
    memory.context = undefined;
    memory.pointer = null;
    memory.allocatedTime = this.scheduler.now;
    memory.stacks.allocated = this.tracker.allocationSite(callee, memory.id);
    this.tracker.stats.callerPacketsInitialized++;
    this.tracker.emitFor("initialize", memory);
    return STATUS_SUCCESS;
  }

  /** @internal */
  freePacket(packet: PacketObject, callee: StackCutPoint, site: CapturedStack | undefined): void {
    this.assertRunning("VmbPacketFree");
    if (packet.variant === "caller-memory") {
      this.tracker.violate("free-unowned", packet, "VmbPacketFree", `${describeHandle(packet)} was built by VmbPacketInitialize in caller memory (at ${this.tracker.siteText(packet.stacks.allocated)}); release your buffer instead`, callee, true);
      return;
    }
    switch (packet.state) {
      case "allocated":
        break;
      case "freed":
        this.tracker.violate("double-free", packet, "VmbPacketFree", `${describeHandle(packet)} was already freed at ${this.tracker.siteText(packet.stacks.freed)}`, callee, true);
        return;
      case "freed-by-library":
        this.tracker.violate("double-free", packet, "VmbPacketFree", `${describeHandle(packet)} was already freed by the library: its default completion routine ran at ${packet.endedTime} ms after the send at ${this.tracker.siteText(packet.stacks.sent)}`, callee, true);
        return;
      case "in-flight":
        this.tracker.violate("free-in-flight", packet, "VmbPacketFree", `${describeHandle(packet)} is in flight: the send at ${this.tracker.siteText(packet.stacks.sent)} succeeded, so the library owns it until its completion`, callee, true);
        return;
      default:
        this.reportUnusablePacket(packet, "VmbPacketFree", callee);
        return;
    }
    packet.state = "freed";
    packet.endedTime = this.scheduler.now;
    if (site) packet.stacks.freed = site;
    this.retireLookasidePacket(packet);
    this.tracker.stats.packetsFreedByDriver++;
    this.tracker.emitFor("free", packet, { by: "driver" });
  }

  /** @internal */
  sendPacket(packet: PacketObject, payload: Uint8Array, flags: number, operation: string, callee: StackCutPoint, site: CapturedStack | undefined): NTSTATUS {
    if (!this.checkPacketUsable(packet, operation, callee, false)) return packet.state === "in-flight" ? STATUS_INVALID_DEVICE_STATE : STATUS_INVALID_HANDLE;
    if (!areKnownSendFlags(flags)) return STATUS_INVALID_PARAMETER;
    const channel = packet.channel!;
    if (channel.state !== "enabled") return this.failSend(packet, STATUS_INVALID_DEVICE_STATE, "channel-not-enabled");
    const injected = this.faults.sendFailure();
    if (injected !== undefined) return this.failSend(packet, injected, "fault");
    // The host decides before the packet changes hands: a responder that throws leaves it owned.
    const request = this.hostRequest(channel, packet.id, payload, flags, false);
    let reply: ResolvedReply;
    if ((flags & VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION) !== 0) {
      reply = this.host.decide(request);
    } else {
      // Without WAIT_FOR_COMPLETION the packet completes once it is in the ring (KMCL.md),
      // whatever the host later does with it.
      this.host.requests.push(request);
      reply = ringPlacement;
    }
    packet.state = "in-flight";
    const generation = ++packet.sendGeneration;
    if (site) packet.stacks.sent = site;
    this.tracker.stats.sends++;
    this.tracker.emitFor("send", packet);
    if (reply.action === "drop") return STATUS_SUCCESS;
    const response = reply.response ?? payload;
    this.scheduler.schedule(
      reply.delayMs + this.faults.completionDelayMs,
      () => this.completeSentPacket(packet, generation, reply.status, response),
      this.faults.completionOrder(this.scheduler.nextSequence()),
    );
    return STATUS_SUCCESS;
  }

  /** @internal */
  setCompletionRoutine(packet: PacketObject, routine: EvtVmbPacketCompletionRoutine, callee: StackCutPoint): void {
    if (typeof routine !== "function") throw new TypeError(`VmbPacketSetCompletionRoutine: expected a completion routine function, got ${routine === null ? "null" : typeof routine}`);
    if (!this.checkPacketUsable(packet, "VmbPacketSetCompletionRoutine", callee, false)) return;
    packet.completionRoutine = routine;
  }

  /** @internal */
  packetContext(packet: PacketObject, callee: StackCutPoint): Record<string, unknown> {
    // A dead packet's context is not handed out: writes to it would corrupt nothing visible,
    // and reads of stale data are exactly what the violation reports.
    if (!this.checkPacketUsable(packet, "VmbPacketGetContext", callee, true)) return {};
    packet.context ??= {};
    return packet.context;
  }

  /** @internal */
  packetPointer(packet: PacketObject, callee: StackCutPoint): unknown {
    return this.checkPacketUsable(packet, "VmbPacketGetPointer", callee, true) ? packet.pointer : null;
  }

  /** @internal */
  setPacketPointer(packet: PacketObject, pointer: unknown, callee: StackCutPoint): void {
    if (this.checkPacketUsable(packet, "VmbPacketSetPointer", callee, true)) packet.pointer = pointer;
  }

  /** VmbPacketFree given a channel or a completion: a release the packet family does not own. @internal */
  reportForeignFree(handle: ChannelObject | CompletionObject, callee: StackCutPoint): void {
    const remedy = handle instanceof ChannelObject ? "release channels with VmbChannelCleanup" : "complete incoming packets with VmbChannelPacketComplete";
    this.tracker.violate("free-unowned", handle, "VmbPacketFree", `VmbPacketFree was given ${describeHandle(handle)}, not a packet: ${remedy}`, callee, true);
  }

  // ---- incoming packets ----

  /** @internal */
  completeIncoming(completion: CompletionObject, response: Uint8Array, callee: StackCutPoint, site: CapturedStack | undefined): void {
    this.assertRunning("VmbChannelPacketComplete");
    if (completion.state === "completed") {
      this.tracker.violate("double-completion", completion, "VmbChannelPacketComplete", `${describeHandle(completion)} was already completed at ${this.tracker.siteText(completion.stacks.completed)}`, callee, true);
      return;
    }
    if (completion.state === "orphaned") {
      this.tracker.violate("use-after-cleanup", completion, "VmbChannelPacketComplete", `${describeHandle(completion)} belonged to ${describeHandle(completion.channel)}, cleaned up at ${this.tracker.siteText(completion.channel.stacks.cleanedUp)}`, callee, true);
      return;
    }
    completion.state = "completed";
    completion.response = response;
    completion.completedTime = this.scheduler.now;
    if (site) completion.stacks.completed = site;
    completion.channel.pendingCompletions.delete(completion);
    this.tracker.retire(completion);
    this.tracker.stats.incomingCompleted++;
    this.host.recordCompletion({ completionId: completion.id, channelId: completion.channel.id, response, time: this.scheduler.now });
    this.tracker.emitFor("complete", completion, { by: "driver" });
  }

  /** @internal */
  incomingExternalData(completion: CompletionObject, out: { value: Uint8Array | null }, callee: StackCutPoint): NTSTATUS {
    this.assertRunning("VmbChannelPacketGetExternalData");
    if (completion.state === "completed") {
      this.tracker.violate("use-after-free", completion, "VmbChannelPacketGetExternalData", `${describeHandle(completion)} was already completed at ${this.tracker.siteText(completion.stacks.completed)}`, callee, true);
      return STATUS_INVALID_HANDLE;
    }
    if (completion.state === "orphaned") {
      this.tracker.violate("use-after-cleanup", completion, "VmbChannelPacketGetExternalData", `${describeHandle(completion)} belonged to ${describeHandle(completion.channel)}, already cleaned up`, callee, true);
      return STATUS_INVALID_HANDLE;
    }
    if (completion.externalData === null) return STATUS_NOT_FOUND;
    out.value = completion.externalData;
    return STATUS_SUCCESS;
  }

  /** Ambient bug checks are recorded on the simulation before the caller throws. @internal */
  recordBugCheck(code: number): void {
    this.tracker.emit("bugcheck", undefined, undefined, undefined, { status: code, message: formatStatus(code) });
  }

  /** @internal */
  assertRunning(operation: string): void {
    if (this.report) throw new TypeError(`${operation}: simulation #${this.id} has finished; its handles can no longer be used`);
  }

  // ---- internals ----

  private scheduleDelivery(channelView: VMBCHANNEL, delayMs: number, payload: Uint8Array, externalData: Uint8Array | null, operation: string): void {
    this.assertRunning(operation);
    if (!(channelView instanceof ChannelObject)) throw new TypeError(`${operation}: expected a VMBCHANNEL, got ${String(channelView)}`);
    if (channelView.owner !== this) throw new TypeError(`${operation}: ${describeHandle(channelView)} belongs to simulation #${channelView.simulationId}, not #${this.id}`);
    if (channelView.state === "cleaned-up") throw new TypeError(`${operation}: ${describeHandle(channelView)} was cleaned up; the host cannot send to it`);
    const channel = channelView;
    this.scheduler.schedule(delayMs, () => this.deliverNow(channel, { payload, externalData }));
  }

  private deliverNow(channel: ChannelObject, delivery: QueuedDelivery): void {
    if (channel.state === "cleaned-up") {
      this.tracker.stats.incomingDropped++;
      this.tracker.emit("deliver", "channel", channel.id, channel.state, { by: "dropped: channel cleaned up" });
      return;
    }
    const processPacket = channel.processPacket;
    if (channel.state !== "enabled" || processPacket === undefined) {
      channel.queuedDeliveries.push(delivery);
      return;
    }
    const completion = new CompletionObject(this, this.nextHandleId++, this.id, channel, delivery.payload, delivery.externalData, this.scheduler.now);
    channel.pendingCompletions.add(completion);
    this.tracker.stats.incomingDelivered++;
    this.tracker.emitFor("deliver", completion);
    const flags = delivery.externalData === null ? 0 : VMBUS_CHANNEL_PROCESS_PACKET_FLAG_EXTERNAL_DATA;
    this.observeCallback(processPacket(channel, completion, delivery.payload, delivery.payload.length, flags));
    if (channel.processingComplete) this.observeCallback(channel.processingComplete(channel, 1));
  }

  private completeSentPacket(packet: PacketObject, generation: number, status: NTSTATUS, response: Uint8Array | null): void {
    if (packet.state !== "in-flight" || packet.sendGeneration !== generation) return;
    packet.endedTime = this.scheduler.now;
    const routine = packet.completionRoutine;
    if (routine) {
      packet.state = "allocated";
      this.tracker.stats.completionRoutinesRun++;
      this.tracker.emitFor("complete", packet, { status, by: "custom-routine" });
      this.observeCallback(routine(packet, status, response, response?.length ?? 0));
      return;
    }
    if (packet.variant === "caller-memory") {
      packet.state = "allocated";
      this.tracker.emitFor("complete", packet, { status, by: "default-routine" });
      return;
    }
    packet.state = "freed-by-library";
    this.retireLookasidePacket(packet);
    this.tracker.stats.packetsFreedByLibrary++;
    this.tracker.emitFor("complete", packet, { status, by: "default-routine" });
    this.tracker.emitFor("free", packet, { by: "library" });
  }

  private failSend(packet: PacketObject, status: NTSTATUS, cause: string): NTSTATUS {
    this.tracker.stats.sendFailures++;
    this.tracker.emitFor("send-failed", packet, { status, by: cause });
    return status;
  }

  private retireLookasidePacket(packet: PacketObject): void {
    packet.channel!.outstandingPackets.delete(packet);
    this.outstandingPackets--;
    this.tracker.retire(packet);
  }

  /** Leaks of one channel: driver-owned lookaside packets and pending incoming packets become orphans. */
  private reportHeldResources(channel: ChannelObject, operation: string, callee: StackCutPoint): ViolationRecord[] {
    const leaks: ViolationRecord[] = [];
    const where = operation === "finish" ? "when the simulation finished" : "at VmbChannelCleanup";
    for (const packet of [...channel.outstandingPackets]) {
      if (packet.state !== "allocated") continue;
      leaks.push(this.tracker.violate("packet-leak", packet, operation, `${describeHandle(packet)} allocated at ${this.tracker.siteText(packet.stacks.allocated)} was still owned by the driver ${where}`, callee, false));
      packet.state = "orphaned";
      packet.endedTime = this.scheduler.now;
      this.retireLookasidePacket(packet);
    }
    for (const completion of [...channel.pendingCompletions]) {
      leaks.push(this.tracker.violate("completion-leak", completion, operation, `${describeHandle(completion)} delivered at ${completion.deliveredTime} ms was never completed with VmbChannelPacketComplete ${where}`, callee, false));
      completion.state = "orphaned";
      channel.pendingCompletions.delete(completion);
      this.tracker.retire(completion);
    }
    return leaks;
  }

  private checkChannelLive(channel: ChannelObject, operation: string, callee: StackCutPoint): boolean {
    this.assertRunning(operation);
    if (channel.state !== "cleaned-up") return true;
    this.tracker.violate("use-after-cleanup", channel, operation, `${describeHandle(channel)} was cleaned up at ${this.tracker.siteText(channel.stacks.cleanedUp)}`, callee, true);
    return false;
  }

  /** Live, owned (or in flight, when `allowInFlight`) and on a live channel; reports the violation otherwise. */
  private checkPacketUsable(packet: PacketObject, operation: string, callee: StackCutPoint, allowInFlight: boolean): boolean {
    this.assertRunning(operation);
    const state = packet.state;
    if (state === "allocated" && packet.channel!.state !== "cleaned-up") return true;
    if (state === "in-flight") {
      if (allowInFlight) return true;
      this.tracker.violate("use-in-flight", packet, operation, `${describeHandle(packet)} belongs to the library until its completion: the send at ${this.tracker.siteText(packet.stacks.sent)} succeeded`, callee, true);
      return false;
    }
    this.reportUnusablePacket(packet, operation, callee);
    return false;
  }

  private reportUnusablePacket(packet: PacketObject, operation: string, callee: StackCutPoint): void {
    switch (packet.state) {
      case "freed":
        this.tracker.violate("use-after-free", packet, operation, `${describeHandle(packet)} was freed at ${this.tracker.siteText(packet.stacks.freed)}`, callee, true);
        return;
      case "freed-by-library":
        this.tracker.violate("use-after-free", packet, operation, `${describeHandle(packet)} was freed by the library when its completion ran at ${packet.endedTime} ms (default completion routine; sent at ${this.tracker.siteText(packet.stacks.sent)})`, callee, true);
        return;
      default:
        this.tracker.violate("use-after-cleanup", packet, operation, `${describeHandle(packet)} belonged to ${packet.channel ? describeHandle(packet.channel) : "a channel"}, cleaned up at ${this.tracker.siteText(packet.channel?.stacks.cleanedUp)}`, callee, true);
    }
  }

  private hostRequest(channel: ChannelObject, packetId: number, payload: Uint8Array, flags: number, synchronous: boolean): HostRequest {
    return { channel, packetId, payload, flags, time: this.scheduler.now, synchronous };
  }

  /** Runs scheduled work for `ms` of virtual time from inside a call (a synchronous wait). */
  private advanceWithin(ms: number): void {
    this.scheduler.run(this.scheduler.now + ms, this.options.maxStepsPerRun);
  }

  private observeCallback(result: void | Promise<void>): void {
    if (result && typeof (result as Promise<void>).then === "function") {
      const settled: Promise<void> = Promise.resolve(result).then(
        () => void this.pendingCallbacks.delete(settled),
        (error: unknown) => {
          this.pendingCallbacks.delete(settled);
          this.callbackErrors.push(error);
        },
      );
      this.pendingCallbacks.add(settled);
    }
  }

  private rethrowCallbackErrors(): void {
    if (this.callbackErrors.length === 0) return;
    const errors = this.callbackErrors.splice(0);
    throw errors.length === 1 ? errors[0] : new AggregateError(errors, `${errors.length} asynchronous driver callbacks failed`);
  }

  private *liveHandleObjects(): Generator<HandleObject> {
    for (const channel of this.liveChannels) {
      yield channel;
      yield* channel.outstandingPackets;
      yield* channel.callerPackets;
      yield* channel.pendingCompletions;
    }
  }

}

/** Without WAIT_FOR_COMPLETION: completion with success as soon as the packet is in the ring. */
const ringPlacement: ResolvedReply = { action: "complete", status: STATUS_SUCCESS, response: undefined, delayMs: 0 };
