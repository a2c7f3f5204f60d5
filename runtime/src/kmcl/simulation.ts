// The simulated world: channels, packets and incoming completions moving through the KMCL machine
// of KMCL.md, with a virtual clock, the scriptable host and fault injection; the lifecycle tracker
// (tracker.ts) records what happens.
// The KMCL functions (api.ts) check their arguments and call the transition methods here.
import { type ChannelSettings, type Endpoint, type Gpadl, stateChangeCallbacksSize } from "./channelSettings";
import type { KmclEventListener } from "./events";
import { FaultInjector } from "./faults";
import {
  ChannelObject,
  CompletionObject,
  type EvtVmbChannelProcessPacket,
  type EvtVmbChannelProcessingComplete,
  type EvtVmbPacketCompletionRoutine,
  type HandleObject,
  type MDL,
  type OutParam,
  PacketObject,
  type QueuedDelivery,
  type VMBCHANNEL,
  type VMB_CHANNEL_STATE_CHANGE_CALLBACKS,
  describeHandle,
  simulatedPacketObjectSize,
} from "./handles";
import { type ResolvedReply, SimulatedHost } from "./host";
import { type FallibleFunction, type HostRequest, type ResolvedOptions, type SimulationMode, type SimulationOptions, resolveOptions } from "./options";
import type { HandleDescription, SimulationReport } from "./report";
import { Scheduler } from "./scheduler";
import { announceSimulation } from "./simulationWatchers";
import { LifecycleTracker, describeHandleObject } from "./tracker";
import { type SavedPacket, decodeChannelState, encodeChannelState } from "./savedState";
import { type CapturedStack, type StackCutPoint, enableSourceMaps } from "./stacks";
import {
  type NTSTATUS,
  NT_SUCCESS,
  STATUS_ACCESS_DENIED,
  STATUS_BUFFER_OVERFLOW,
  STATUS_BUFFER_TOO_SMALL,
  STATUS_CANCELLED,
  STATUS_INVALID_DEVICE_STATE,
  STATUS_INVALID_HANDLE,
  STATUS_INVALID_PARAMETER,
  STATUS_INVALID_PARAMETER_1,
  STATUS_INVALID_PARAMETER_2,
  STATUS_IO_TIMEOUT,
  STATUS_MORE_PROCESSING_REQUIRED,
  STATUS_NOT_FOUND,
  STATUS_PENDING,
  STATUS_SUCCESS,
  VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION,
  VMBUS_CHANNEL_GPADL_FLAG_READ_ONLY,
  VMBUS_CHANNEL_PACKET_EXTERNAL_DATA_FLAG_READ_ONLY,
  VMBUS_CHANNEL_PROCESS_PACKET_FLAG_EXTERNAL_DATA,
  areKnownSendFlags,
  formatStatus,
  hasOnlyFlags,
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
  private nextGpadlHandle = 1;
  private report: SimulationReport | undefined;

  constructor(options?: SimulationOptions) {
    this.options = resolveOptions(options);
    this.id = nextSimulationId++;
    this.mode = this.options.mode;
    this.seed = this.options.seed;
    this.faults = new FaultInjector(this.options.faults, this.seed);
    this.tracker = new LifecycleTracker({ ...this.options, simulationId: this.id }, () => this.scheduler.now);
    this.host = new SimulatedHost(
      this.options.host,
      { scheduleDelivery: (...args) => this.scheduleDelivery(...args), establishGpadl: (...args) => this.establishHostGpadl(...args) },
      this.options.historyLimit,
    );
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
    if (options.enabled ?? true) {
      this.enableChannel(channel, this.createChannel);
      // Ready for traffic: a server channel is started too, as its driver would do with VmbChannelStart.
      if (channel.paused) this.startChannel(channel, this.createChannel);
    }
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

  /** @internal A failCalls fault for a call whose only failure is an injected one. */
  injectedFailure(name: FallibleFunction): NTSTATUS | undefined {
    this.assertRunning(name);
    return this.faults.callFailure(name);
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
    if (processPacket !== undefined && processPacket !== null && typeof processPacket !== "function") throw new TypeError("VmbChannelInitSetProcessPacketCallbacks: the process-packet callback must be a function");
    if (processingComplete !== undefined && processingComplete !== null && typeof processingComplete !== "function") throw new TypeError("VmbChannelInitSetProcessPacketCallbacks: the processing-complete callback must be a function");
    return this.configureChannel(channel, "VmbChannelInitSetProcessPacketCallbacks", "any", () => {
      channel.processPacket = processPacket ?? undefined;
      channel.processingComplete = processingComplete ?? undefined;
      return STATUS_SUCCESS;
    }, callee);
  }

  /**
   * A VmbChannelInit* call: valid during channel initialization (before VmbChannelEnable, or after
   * VmbChannelDisable) and on the endpoint it configures; `apply` checks the values and stores them.
   * @internal
   */
  configureChannel(channel: ChannelObject, operation: string, endpoint: Endpoint, apply: (settings: ChannelSettings) => NTSTATUS, callee: StackCutPoint): NTSTATUS {
    if (!this.checkChannelLive(channel, operation, callee)) return STATUS_INVALID_HANDLE;
    if (endpoint !== "any" && (endpoint === "server") !== channel.isServer) {
      this.tracker.violate("invalid-state", channel, operation, `${operation} configures a ${endpoint} endpoint, but ${describeHandle(channel)} is a ${channel.isServer ? "server" : "client"} channel`, callee, true);
      return STATUS_INVALID_PARAMETER_1;
    }
    if (channel.state === "enabled") {
      this.tracker.violate("invalid-state", channel, operation, `${operation} can only be called during channel initialization, before VmbChannelEnable: ${describeHandle(channel)} is enabled`, callee, true);
      return STATUS_INVALID_PARAMETER_1;
    }
    return apply(channel.settings);
  }

  /** @internal */
  setStateChangeCallbacks(channel: ChannelObject, callbacks: VMB_CHANNEL_STATE_CHANGE_CALLBACKS, callee: StackCutPoint): NTSTATUS {
    return this.configureChannel(channel, "VmbChannelInitSetStateChangeCallbacks", "any", (settings) => {
      if (callbacks.Version !== 1 || callbacks.Size !== stateChangeCallbacksSize) return STATUS_INVALID_PARAMETER_2;
      settings.stateChangeCallbacks = { ...callbacks };
      return STATUS_SUCCESS;
    }, callee);
  }

  /** @internal */
  enableChannel(channel: ChannelObject, callee: StackCutPoint): NTSTATUS {
    if (!this.checkChannelLive(channel, "VmbChannelEnable", callee)) return STATUS_INVALID_HANDLE;
    if (channel.state === "enabled") return STATUS_INVALID_DEVICE_STATE;
    const injected = this.faults.callFailure("VmbChannelEnable");
    if (injected !== undefined) return injected;
    channel.state = "enabled";
    channel.incomingStopped = false;
    // The guest's VmbChannelEnable makes the channel active; the host's waits for VmbChannelStart.
    channel.paused = channel.isServer || channel.pauseOnEnable;
    channel.pauseOnEnable = false;
    this.tracker.emitFor("enable", channel);
    // The simulated opposite endpoint opens the channel at once.
    const opened = this.runOpened(channel);
    if (!NT_SUCCESS(opened)) {
      // EvtChannelOpened failed: rolled back to a state where no traffic flows. VmbChannelEnable had already returned in a real system.
      channel.state = "disabled";
      this.tracker.emitFor("disable", channel, { status: opened, by: "EvtChannelOpened failed" });
      return STATUS_SUCCESS;
    }
    channel.open = true;
    for (const packet of channel.restoredPackets.splice(0)) this.dispatchToHost(packet, packet.request!, VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION, packet.sendGeneration);
    if (!channel.paused) this.activateChannel(channel);
    return STATUS_SUCCESS;
  }

  /** Moves a paused channel to active (VmbChannelStart). @internal */
  startChannel(channel: ChannelObject, callee: StackCutPoint): void {
    if (!this.checkChannelLive(channel, "VmbChannelStart", callee) || !this.checkOutsideStateChange(channel, "VmbChannelStart", callee)) return;
    if (channel.state !== "enabled") {
      this.tracker.violate("invalid-state", channel, "VmbChannelStart", `VmbChannelStart may be called only after VmbChannelEnable and before VmbChannelDisable: ${describeHandle(channel)} is ${channel.state}`, callee, true);
      return;
    }
    if (!channel.paused) return;
    channel.paused = false;
    this.tracker.emitFor("start", channel);
    if (channel.open) this.activateChannel(channel);
  }

  /**
   * Pauses the channel (VmbChannelPause): no more incoming packets, then waits (running scheduled
   * work) until the incoming packets the driver holds and the packets it sent are completed. A
   * wait nothing scheduled can end would block forever: reported. On a channel that is not
   * enabled, it pauses when it is. @internal
   */
  pauseChannel(channel: ChannelObject, callee: StackCutPoint): void {
    if (!this.checkChannelLive(channel, "VmbChannelPause", callee) || !this.checkOutsideStateChange(channel, "VmbChannelPause", callee)) return;
    if (channel.state !== "enabled") {
      channel.pauseOnEnable = true;
      return;
    }
    if (channel.paused) return;
    channel.paused = true;
    this.tracker.emitFor("pause", channel);
    if (channel.open) this.runStateChange(channel, "EvtChannelSuspend");
    let steps = 0;
    while (this.outstandingOn(channel) > 0 && steps++ < this.options.maxStepsPerRun && this.scheduler.step()) {
      // each step may complete what the pause waits for
    }
    const incoming = channel.pendingCompletions.size;
    const sent = this.outstandingOn(channel) - incoming;
    if (incoming + sent > 0) {
      this.tracker.violate("invalid-state", channel, "VmbChannelPause", `VmbChannelPause would wait forever on ${describeHandle(channel)}: ${incoming} incoming packet(s) not completed and ${sent} sent packet(s) not completed, and nothing scheduled would complete them`, callee, true);
    }
  }

  /** @internal */
  channelPointer(channel: ChannelObject, callee: StackCutPoint): unknown {
    return this.checkChannelLive(channel, "VmbChannelGetPointer", callee) ? channel.pointer : null;
  }

  /** @internal */
  setChannelPointer(channel: ChannelObject, pointer: unknown, callee: StackCutPoint): void {
    if (this.checkChannelLive(channel, "VmbChannelSetPointer", callee)) channel.pointer = pointer;
  }

  /** Valid while the channel is open (between EvtChannelOpened and EvtChannelClosed). @internal */
  setInterruptLatency(channel: ChannelObject, latency: number, original: OutParam<number>, callee: StackCutPoint): NTSTATUS {
    const operation = "VmbChannelSetInterruptLatency";
    if (!this.checkChannelLive(channel, operation, callee)) return STATUS_INVALID_HANDLE;
    if (!this.checkOpen(channel, operation, callee)) return STATUS_INVALID_DEVICE_STATE;
    const injected = this.faults.callFailure(operation);
    if (injected !== undefined) return injected;
    original.value = channel.interruptLatency;
    channel.interruptLatency = latency;
    return STATUS_SUCCESS;
  }

  /** Incoming packets outstanding at once; lowering it below the outstanding count holds new ones until completions make room. @internal */
  setTransactionQuota(channel: ChannelObject, quota: number, callee: StackCutPoint): void {
    if (this.checkChannelLive(channel, "VmbChannelSetTransactionQuota", callee)) channel.transactionQuota = quota;
  }

  /** The simulation has no IRQLs: the setting is kept, and every callback runs alike. @internal */
  setIncomingProcessingAtPassive(channel: ChannelObject, requirePassive: boolean, callee: StackCutPoint): void {
    if (this.checkChannelLive(channel, "VmbChannelSetIncomingProcessingAtPassive", callee)) channel.incomingAtPassive = requirePassive;
  }

  /** The instance GUID the channel was configured with, or one derived from its id. @internal */
  interfaceInstance(channel: ChannelObject, callee: StackCutPoint): string | null {
    if (!this.checkChannelLive(channel, "VmbChannelGetInterfaceInstance", callee)) return null;
    return channel.settings.interfaceInstance ?? `00000000-0000-0000-0000-${channel.id.toString(16).padStart(12, "0")}`;
  }

  // ---- GPADLs ----

  /** VmbChannelCreateGpadlFromBuffer / FromMdl: once the channel is open. The bytes are shared, not copied. @internal */
  createGpadl(channel: ChannelObject, operation: "VmbChannelCreateGpadlFromBuffer" | "VmbChannelCreateGpadlFromMdl", flags: number, bytes: Uint8Array, handle: OutParam<number>, callee: StackCutPoint): NTSTATUS {
    if (!this.checkChannelLive(channel, operation, callee)) return STATUS_INVALID_HANDLE;
    if (!hasOnlyFlags(flags, VMBUS_CHANNEL_GPADL_FLAG_READ_ONLY)) return STATUS_INVALID_PARAMETER;
    if (!this.checkOpen(channel, operation, callee)) return STATUS_INVALID_DEVICE_STATE;
    const injected = this.faults.callFailure(operation);
    if (injected !== undefined) return injected;
    const gpadl = this.addGpadl(channel, bytes, (flags & VMBUS_CHANNEL_GPADL_FLAG_READ_ONLY) !== 0, "driver");
    handle.value = gpadl.handle;
    return STATUS_SUCCESS;
  }

  /** Only one mapping of a GPADL at a time; a write mapping of a read-only GPADL fails. @internal */
  mapGpadl(channel: ChannelObject, flags: number, handle: number, mdl: OutParam<MDL>, callee: StackCutPoint): NTSTATUS {
    const operation = "VmbChannelMapGpadl";
    if (!this.checkChannelLive(channel, operation, callee)) return STATUS_INVALID_HANDLE;
    if (!hasOnlyFlags(flags, VMBUS_CHANNEL_GPADL_FLAG_READ_ONLY)) return STATUS_INVALID_PARAMETER;
    // The handle number comes from the opposite endpoint: an unknown one is its error, not the driver's.
    const gpadl = channel.gpadls.get(handle);
    if (gpadl === undefined) return STATUS_INVALID_PARAMETER;
    if (gpadl.mapped) {
      this.tracker.violate("invalid-state", channel, operation, `GPADL ${handle} of ${describeHandle(channel)} is already mapped: only one mapping may exist at a time (VmbChannelUnmapGpadl first)`, callee, true);
      return STATUS_INVALID_DEVICE_STATE;
    }
    if (gpadl.readOnly && (flags & VMBUS_CHANNEL_GPADL_FLAG_READ_ONLY) === 0) return STATUS_ACCESS_DENIED;
    const injected = this.faults.callFailure(operation);
    if (injected !== undefined) return injected;
    gpadl.mapped = true;
    mdl.value = { bytes: gpadl.bytes };
    return STATUS_SUCCESS;
  }

  /** @internal */
  unmapGpadl(channel: ChannelObject, handle: number, callee: StackCutPoint): void {
    if (!this.checkChannelLive(channel, "VmbChannelUnmapGpadl", callee)) return;
    const gpadl = channel.gpadls.get(handle);
    if (!gpadl?.mapped) {
      this.tracker.violate("invalid-state", channel, "VmbChannelUnmapGpadl", `GPADL ${handle} of ${describeHandle(channel)} is not mapped`, callee, true);
      return;
    }
    gpadl.mapped = false;
  }

  /** Deletes a GPADL the driver created; deleting a mapped one would block until it is unmapped. @internal */
  deleteGpadl(channel: ChannelObject, handle: number, callee: StackCutPoint): void {
    const operation = "VmbChannelDeleteGpadl";
    if (!this.checkChannelLive(channel, operation, callee)) return;
    const gpadl = channel.gpadls.get(handle);
    if (gpadl?.creator !== "driver") {
      const why = gpadl ? "was established by the opposite endpoint" : "is not established (never created, or already deleted)";
      this.tracker.violate("invalid-state", channel, operation, `GPADL ${handle} of ${describeHandle(channel)} ${why}`, callee, true);
      return;
    }
    if (gpadl.mapped) {
      this.tracker.violate("invalid-state", channel, operation, `GPADL ${handle} of ${describeHandle(channel)} is still mapped: VmbChannelDeleteGpadl would block until VmbChannelUnmapGpadl`, callee, true);
    }
    channel.gpadls.delete(handle);
    this.tracker.emitFor("gpadl-delete", channel, { message: `GPADL ${handle}` });
  }

  // ---- saving and restoring a channel ----

  /**
   * VmbChannelSaveBegin: snapshots the packets in flight on the channel, with what the driver's
   * EvtVmbChannelSavePacket saves of each (an empty buffer first; a failure naming BytesNeeded asks
   * for a second call with that much room). @internal
   */
  saveBegin(channel: ChannelObject, callee: StackCutPoint): NTSTATUS {
    const operation = "VmbChannelSaveBegin";
    if (!this.checkChannelLive(channel, operation, callee)) return STATUS_INVALID_HANDLE;
    if (channel.saving) {
      this.tracker.violate("invalid-state", channel, operation, `a save of ${describeHandle(channel)} is already in progress: end it with VmbChannelSaveEnd first`, callee, true);
      return STATUS_INVALID_DEVICE_STATE;
    }
    const injected = this.faults.callFailure(operation);
    if (injected !== undefined) return injected;
    const inFlight = [...channel.outstandingPackets, ...channel.callerPackets].filter((packet) => packet.state === "in-flight").sort((a, b) => a.id - b.id);
    const saved: SavedPacket[] = [];
    for (const packet of inFlight) {
      const driverState = this.runSavePacket(channel, packet);
      if (typeof driverState === "number") return driverState;
      saved.push({ libraryState: packet.request ?? new Uint8Array(0), driverState });
    }
    channel.saving = { chunks: encodeChannelState(saved), next: 0 };
    this.tracker.emitFor("save", channel, { message: `${saved.length} packet(s) in flight` });
    return STATUS_SUCCESS;
  }

  /** Copies whole chunks of the state image into `buffer`. @internal */
  saveContinue(channel: ChannelObject, buffer: Uint8Array, size: number, filled: OutParam<number>, required: OutParam<number>, callee: StackCutPoint): NTSTATUS {
    const operation = "VmbChannelSaveContinue";
    if (!this.checkChannelLive(channel, operation, callee)) return STATUS_INVALID_HANDLE;
    const saving = channel.saving;
    if (!saving) {
      this.tracker.violate("invalid-state", channel, operation, `no save of ${describeHandle(channel)} is in progress: call VmbChannelSaveBegin first`, callee, true);
      return STATUS_INVALID_DEVICE_STATE;
    }
    const injected = this.faults.callFailure(operation);
    if (injected !== undefined) return injected;
    let written = 0;
    while (saving.next < saving.chunks.length && written + saving.chunks[saving.next]!.length <= size) {
      buffer.set(saving.chunks[saving.next]!, written);
      written += saving.chunks[saving.next++]!.length;
    }
    filled.value = written;
    const pending = saving.chunks[saving.next];
    required.value = pending?.length ?? 0;
    if (pending === undefined) return STATUS_SUCCESS;
    return written === 0 ? STATUS_BUFFER_TOO_SMALL : STATUS_BUFFER_OVERFLOW;
  }

  /** @internal */
  saveEnd(channel: ChannelObject, callee: StackCutPoint): void {
    if (!this.checkChannelLive(channel, "VmbChannelSaveEnd", callee)) return;
    if (!channel.saving) {
      this.tracker.violate("invalid-state", channel, "VmbChannelSaveEnd", `no save of ${describeHandle(channel)} is in progress: VmbChannelSaveEnd without VmbChannelSaveBegin`, callee, true);
      return;
    }
    channel.saving = undefined;
  }

  /**
   * Reads whole chunks of a saved state image; each saved packet goes to the driver's
   * EvtVmbChannelRestorePacket (which allocates a packet and calls VmbPacketRestore).
   * STATUS_MORE_PROCESSING_REQUIRED until every packet the image announced was restored. @internal
   */
  restoreFromBuffer(channel: ChannelObject, bytes: Uint8Array, callee: StackCutPoint): NTSTATUS {
    const operation = "VmbChannelRestoreFromBuffer";
    if (!this.checkChannelLive(channel, operation, callee)) return STATUS_INVALID_HANDLE;
    const injected = this.faults.callFailure(operation);
    if (injected !== undefined) return injected;
    const decoded = decodeChannelState(bytes);
    if (decoded === undefined) return STATUS_INVALID_PARAMETER;
    if (decoded.packetCount !== undefined) channel.restoring = { expected: decoded.packetCount, seen: 0 };
    const progress = channel.restoring;
    if (progress === undefined) return STATUS_INVALID_PARAMETER;
    const restore = channel.settings.restorePacket;
    for (const packet of decoded.packets) {
      progress.seen++;
      if (!restore) continue;
      const status = synchronousStatus(restore(channel, packet.libraryState, packet.libraryState.length, packet.driverState, packet.driverState.length), "EvtVmbChannelRestorePacket");
      if (!NT_SUCCESS(status)) {
        channel.restoring = undefined;
        return status;
      }
    }
    if (progress.seen < progress.expected) return STATUS_MORE_PROCESSING_REQUIRED;
    channel.restoring = undefined;
    this.tracker.emitFor("restore", channel, { message: `${progress.seen} packet(s) restored` });
    return STATUS_SUCCESS;
  }

  /** Stops traffic: packets in flight are completed with STATUS_CANCELLED, in send order. @internal */
  disableChannel(channel: ChannelObject, callee: StackCutPoint): void {
    if (!this.checkChannelLive(channel, "VmbChannelDisable", callee)) return;
    if (channel.state !== "enabled") return;
    const wasActive = channel.open && !channel.paused;
    channel.state = "disabled";
    channel.paused = false;
    this.tracker.emitFor("disable", channel);
    if (wasActive) this.runStateChange(channel, "EvtChannelSuspend");
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
    if (channel.open) {
      channel.open = false;
      // Where the driver destroys its GPADLs.
      this.runStateChange(channel, "EvtChannelClosed");
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
    // Restored packets of a channel never enabled are cancelled as the ones in flight are.
    for (const packet of channel.restoredPackets.splice(0)) this.completeSentPacket(packet, packet.sendGeneration, STATUS_CANCELLED, null);
    const leaks = this.reportHeldResources(channel, "VmbChannelCleanup", callee);
    channel.queuedDeliveries.length = 0;
    // Incoming packets the library held back are its own: dropped with the channel, not leaked.
    for (const completion of channel.heldCompletions) completion.state = "orphaned";
    channel.heldCompletions.clear();
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
    const injected = this.faults.callFailure("VmbChannelSendSynchronousRequest");
    if (injected !== undefined) return injected;
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
  /**
   * A send, or a VmbPacketRestore putting a saved transaction back in flight (as a send waiting for
   * its completion). A restore on a channel not yet enabled stays in flight until VmbChannelEnable
   * hands it to the host.
   * @internal
   */
  sendPacket(packet: PacketObject, payload: Uint8Array, flags: number, operation: FallibleFunction, callee: StackCutPoint, site: CapturedStack | undefined): NTSTATUS {
    if (!this.checkPacketUsable(packet, operation, callee, false)) return packet.state === "in-flight" ? STATUS_INVALID_DEVICE_STATE : STATUS_INVALID_HANDLE;
    if (!areKnownSendFlags(flags)) return STATUS_INVALID_PARAMETER;
    const channel = packet.channel!;
    const restoring = operation === "VmbPacketRestore";
    if (restoring && payload.length === 0) return STATUS_INVALID_PARAMETER;
    if (!restoring && channel.state !== "enabled") return this.failSend(packet, STATUS_INVALID_DEVICE_STATE, "channel-not-enabled");
    const injected = (restoring ? undefined : this.faults.sendFailure()) ?? this.faults.callFailure(operation);
    if (injected !== undefined) return this.failSend(packet, injected, "fault");
    const generation = packet.sendGeneration + 1;
    const handedOver = channel.state === "enabled" && channel.open;
    // The host decides before the packet changes hands: a responder that throws leaves it owned.
    if (handedOver) this.dispatchToHost(packet, payload, flags, generation);
    else channel.restoredPackets.push(packet);
    packet.state = "in-flight";
    packet.sendGeneration = generation;
    packet.request = payload;
    if (site) packet.stacks.sent = site;
    if (restoring) this.tracker.stats.packetsRestored++;
    else this.tracker.stats.sends++;
    this.tracker.emitFor(restoring ? "restore" : "send", packet);
    return STATUS_SUCCESS;
  }

  /** The host's answer to a packet now in flight, scheduled as its completion. */
  private dispatchToHost(packet: PacketObject, payload: Uint8Array, flags: number, generation: number): void {
    const request = this.hostRequest(packet.channel!, packet.id, payload, flags, false);
    let reply: ResolvedReply;
    if ((flags & VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION) !== 0) {
      reply = this.host.decide(request);
    } else {
      // Without WAIT_FOR_COMPLETION the packet completes once it is in the ring (KMCL.md),
      // whatever the host later does with it.
      this.host.requests.push(request);
      reply = ringPlacement;
    }
    if (reply.action === "drop") return;
    const response = reply.response ?? payload;
    this.scheduler.schedule(
      reply.delayMs + this.faults.completionDelayMs,
      () => this.completeSentPacket(packet, generation, reply.status, response),
      this.faults.completionOrder(this.scheduler.nextSequence()),
    );
  }

  /** @internal */
  packetChannel(packet: PacketObject, callee: StackCutPoint): VMBCHANNEL | null {
    return this.checkPacketUsable(packet, "VmbPacketGetChannel", callee, true) ? packet.channel! : null;
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
    if (completion.state !== "pending") {
      this.reportCompletionNotOwned(completion, "VmbChannelPacketComplete", callee, true);
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
    // A completion makes room under the transaction quota.
    this.pumpIncoming(completion.channel);
  }

  /** Hands the packet back to the parsing queue: the library delivers it again (at PASSIVE_LEVEL). @internal */
  deferIncoming(completion: CompletionObject, callee: StackCutPoint): void {
    if (!this.checkCompletionOwned(completion, "VmbChannelPacketDeferToPassive", callee)) return;
    this.holdIncoming(completion, "deferred", 0);
    this.tracker.stats.incomingDeferred++;
  }

  /** Fails a malformed packet: the library ends the delivery and stops the channel's incoming queue. @internal */
  failIncoming(completion: CompletionObject, callee: StackCutPoint, site: CapturedStack | undefined): void {
    if (!this.checkCompletionOwned(completion, "VmbChannelPacketFail", callee)) return;
    completion.state = "failed";
    completion.completedTime = this.scheduler.now;
    if (site) completion.stacks.completed = site;
    completion.channel.pendingCompletions.delete(completion);
    completion.channel.incomingStopped = true;
    this.tracker.retire(completion);
    this.tracker.stats.incomingFailed++;
    this.tracker.emitFor("fail", completion, { by: "driver", message: `the incoming queue of ${describeHandle(completion.channel)} is stopped` });
  }

  /** STATUS_PENDING when the data is not paged in yet (the externalDataPending fault). @internal */
  incomingExternalData(completion: CompletionObject, flags: number, out: { value: Uint8Array | null }, callee: StackCutPoint): NTSTATUS {
    if (!this.checkCompletionOwned(completion, "VmbChannelPacketGetExternalData", callee)) return STATUS_INVALID_HANDLE;
    if (!hasOnlyFlags(flags, VMBUS_CHANNEL_PACKET_EXTERNAL_DATA_FLAG_READ_ONLY)) return STATUS_INVALID_PARAMETER;
    if (completion.externalData === null) return STATUS_NOT_FOUND;
    if (!completion.externalDataReady) {
      // The guest's pages may need paging in: the callback must return, and runs again with this packet once they are.
      const delay = this.faults.externalDataDelay();
      if (delay !== undefined) {
        this.holdIncoming(completion, "awaiting-external-data", delay);
        this.tracker.stats.incomingPended++;
        return STATUS_PENDING;
      }
      completion.externalDataReady = true;
    }
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

  /** A delivery from the host, or a redelivery of a packet the library held back: now, or queued behind earlier ones. */
  private deliverNow(channel: ChannelObject, delivery: QueuedDelivery): void {
    if (channel.state === "cleaned-up") {
      if (delivery.completion) return;
      this.tracker.stats.incomingDropped++;
      this.tracker.emit("deliver", "channel", channel.id, channel.state, { by: "dropped: channel cleaned up" });
      return;
    }
    // A packet the library held goes back to the head of the queue: it already counts against the
    // quota, so waiting behind new packets the quota holds back would never end.
    if (delivery.completion) {
      if (this.canDeliver(channel, delivery)) this.invokeProcessPacket(channel, delivery);
      else channel.queuedDeliveries.unshift(delivery);
      return;
    }
    if (channel.queuedDeliveries.length > 0 || !this.canDeliver(channel, delivery)) {
      channel.queuedDeliveries.push(delivery);
      return;
    }
    this.invokeProcessPacket(channel, delivery);
  }

  private invokeProcessPacket(channel: ChannelObject, delivery: QueuedDelivery): void {
    let completion = delivery.completion;
    if (completion) {
      channel.heldCompletions.delete(completion);
      completion.state = "pending";
    } else {
      completion = new CompletionObject(this, this.nextHandleId++, this.id, channel, delivery.payload, delivery.externalData, this.scheduler.now);
      this.tracker.stats.incomingDelivered++;
    }
    channel.pendingCompletions.add(completion);
    this.tracker.emitFor("deliver", completion, delivery.completion ? { by: "library: delivered again" } : undefined);
    const flags = delivery.externalData === null ? 0 : VMBUS_CHANNEL_PROCESS_PACKET_FLAG_EXTERNAL_DATA;
    this.observeCallback(channel.processPacket!(channel, completion, delivery.payload, delivery.payload.length, flags));
    if (channel.processingComplete) this.observeCallback(channel.processingComplete(channel, 1));
  }

  /**
   * Open, active, its queue running, a callback set, and (for a new packet) room under the
   * transaction quota; a packet delivered again already counts against it.
   */
  private canDeliver(channel: ChannelObject, delivery: QueuedDelivery): boolean {
    if (channel.state !== "enabled" || !channel.open || channel.paused || channel.incomingStopped || channel.processPacket === undefined) return false;
    return delivery.completion !== undefined || channel.pendingCompletions.size + channel.heldCompletions.size < channel.transactionQuota;
  }

  /** Delivers what waited, in order, as far as the channel lets it. */
  private pumpIncoming(channel: ChannelObject): void {
    if (channel.queuedDeliveries.length === 0) return;
    this.scheduler.schedule(0, () => {
      const queue = channel.queuedDeliveries;
      while (queue.length > 0 && channel.state !== "cleaned-up" && this.canDeliver(channel, queue[0]!)) this.invokeProcessPacket(channel, queue.shift()!);
    });
  }

  /** The library takes an incoming packet back and delivers the same handle again after `delayMs`. */
  private holdIncoming(completion: CompletionObject, state: "deferred" | "awaiting-external-data", delayMs: number): void {
    const channel = completion.channel;
    completion.state = state;
    channel.pendingCompletions.delete(completion);
    channel.heldCompletions.add(completion);
    this.tracker.emitFor("defer", completion, { by: state === "deferred" ? "VmbChannelPacketDeferToPassive" : "external data pending" });
    this.scheduler.schedule(delayMs, () => {
      if (state === "awaiting-external-data") completion.externalDataReady = true;
      if (completion.state === state) this.deliverNow(channel, { payload: completion.payload, externalData: completion.externalData, completion });
    });
  }

  /** Pending: the driver's to use. Otherwise reports what the library or the channel did with it. */
  private checkCompletionOwned(completion: CompletionObject, operation: string, callee: StackCutPoint): boolean {
    this.assertRunning(operation);
    if (completion.state === "pending") return true;
    this.reportCompletionNotOwned(completion, operation, callee, false);
    return false;
  }

  /** `release`: the call would end the packet (VmbChannelPacketComplete), so a packet the library took back is a free in flight. */
  private reportCompletionNotOwned(completion: CompletionObject, operation: string, callee: StackCutPoint, release: boolean): void {
    const what = describeHandle(completion);
    switch (completion.state) {
      case "deferred":
      case "awaiting-external-data": {
        const why = completion.state === "deferred" ? "was deferred with VmbChannelPacketDeferToPassive" : "is waiting for its external data (VmbChannelPacketGetExternalData returned STATUS_PENDING)";
        this.tracker.violate(release ? "free-in-flight" : "use-in-flight", completion, operation, `${what} ${why}: the library owns it until it delivers it again; return from the callback`, callee, true);
        return;
      }
      case "failed":
        this.tracker.violate(release ? "free-in-flight" : "use-after-free", completion, operation, `${what} was failed with VmbChannelPacketFail at ${this.tracker.siteText(completion.stacks.completed)}: the library ended it`, callee, true);
        return;
      case "completed":
        this.tracker.violate("use-after-free", completion, operation, `${what} was already completed at ${this.tracker.siteText(completion.stacks.completed)}`, callee, true);
        return;
      default:
        this.tracker.violate("use-after-cleanup", completion, operation, `${what} belonged to ${describeHandle(completion.channel)}, cleaned up at ${this.tracker.siteText(completion.channel.stacks.cleanedUp)}`, callee, true);
    }
  }

  /** EvtChannelOpened's status (success when none is set); it may establish GPADLs. */
  private runOpened(channel: ChannelObject): NTSTATUS {
    const opened = channel.settings.stateChangeCallbacks?.EvtChannelOpened;
    if (!opened) return STATUS_SUCCESS;
    channel.inStateChangeCallback = true;
    try {
      return synchronousStatus(opened(channel), "EvtChannelOpened");
    } finally {
      channel.inStateChangeCallback = false;
    }
  }

  private runStateChange(channel: ChannelObject, callback: "EvtChannelClosed" | "EvtChannelSuspend" | "EvtChannelStarted" | "EvtChannelPostStarted"): void {
    const run = channel.settings.stateChangeCallbacks?.[callback];
    if (!run) return;
    channel.inStateChangeCallback = true;
    try {
      this.observeCallback(run(channel));
    } finally {
      channel.inStateChangeCallback = false;
    }
  }

  /** EvtChannelStarted, then the incoming queue runs, then EvtChannelPostStarted. */
  private activateChannel(channel: ChannelObject): void {
    this.runStateChange(channel, "EvtChannelStarted");
    this.pumpIncoming(channel);
    this.runStateChange(channel, "EvtChannelPostStarted");
  }

  private checkOutsideStateChange(channel: ChannelObject, operation: string, callee: StackCutPoint): boolean {
    if (!channel.inStateChangeCallback) return true;
    this.tracker.violate("invalid-state", channel, operation, `${operation} may not be called within a state change callback (EvtChannel*) of ${describeHandle(channel)}`, callee, true);
    return false;
  }

  /** Between EvtChannelOpened and EvtChannelClosed, both included. */
  private checkOpen(channel: ChannelObject, operation: string, callee: StackCutPoint): boolean {
    if (channel.open || channel.inStateChangeCallback) return true;
    this.tracker.violate("invalid-state", channel, operation, `${operation} is valid only while ${describeHandle(channel)} is open (between EvtChannelOpened and EvtChannelClosed); it is ${channel.state}`, callee, true);
    return false;
  }

  /** What VmbChannelPause waits for: incoming packets the driver holds and packets it sent. */
  private outstandingOn(channel: ChannelObject): number {
    let inFlight = 0;
    for (const packet of channel.outstandingPackets) if (packet.state === "in-flight") inFlight++;
    for (const packet of channel.callerPackets) if (packet.state === "in-flight") inFlight++;
    return channel.pendingCompletions.size + inFlight;
  }

  private addGpadl(channel: ChannelObject, bytes: Uint8Array, readOnly: boolean, creator: Gpadl["creator"]): Gpadl {
    const gpadl: Gpadl = { handle: this.nextGpadlHandle++, bytes, readOnly, creator, mapped: false, createdTime: this.scheduler.now };
    channel.gpadls.set(gpadl.handle, gpadl);
    this.tracker.emitFor("gpadl-create", channel, { by: creator, message: `GPADL ${gpadl.handle}` });
    return gpadl;
  }

  private establishHostGpadl(channelView: VMBCHANNEL, bytes: Uint8Array, readOnly: boolean): number {
    this.assertRunning("createGpadl");
    if (!(channelView instanceof ChannelObject) || channelView.owner !== this) throw new TypeError(`createGpadl: expected a VMBCHANNEL of simulation #${this.id}`);
    if (channelView.state === "cleaned-up") throw new TypeError(`createGpadl: ${describeHandle(channelView)} was cleaned up`);
    return this.addGpadl(channelView, bytes, readOnly, "host").handle;
  }

  /** The driver's saved state of one packet (empty without a callback), or the failure status of EvtVmbChannelSavePacket. */
  private runSavePacket(channel: ChannelObject, packet: PacketObject): Uint8Array | NTSTATUS {
    const save = channel.settings.savePacket;
    if (!save) return new Uint8Array(0);
    const needed: OutParam<number> = { value: 0 };
    const probe = synchronousStatus(save(channel, packet, new Uint8Array(0), 0, needed), "EvtVmbChannelSavePacket");
    if (NT_SUCCESS(probe)) return new Uint8Array(0);
    const size = needed.value ?? 0;
    if (!Number.isInteger(size) || size <= 0) return probe;
    const buffer = new Uint8Array(size);
    const status = synchronousStatus(save(channel, packet, buffer, size, { value: 0 }), "EvtVmbChannelSavePacket");
    return NT_SUCCESS(status) ? buffer : status;
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
    for (const gpadl of channel.gpadls.values()) {
      if (gpadl.creator === "driver") {
        leaks.push(this.tracker.violate("gpadl-leak", channel, operation, `GPADL ${gpadl.handle} of ${describeHandle(channel)}, created at ${gpadl.createdTime} ms, was never deleted with VmbChannelDeleteGpadl ${where}`, callee, false));
      } else if (gpadl.mapped) {
        leaks.push(this.tracker.violate("gpadl-leak", channel, operation, `GPADL ${gpadl.handle} of ${describeHandle(channel)} was mapped and never unmapped with VmbChannelUnmapGpadl ${where}`, callee, false));
      }
    }
    channel.gpadls.clear();
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

/** A driver callback that returns an NTSTATUS must return it at once: the library waits for it. */
function synchronousStatus(result: unknown, callback: string): NTSTATUS {
  if (typeof result === "number" && Number.isInteger(result)) return result | 0;
  throw new TypeError(`${callback} must return an NTSTATUS synchronously, got ${result instanceof Promise ? "a Promise" : typeof result}`);
}

/** Without WAIT_FOR_COMPLETION: completion with success as soon as the packet is in the ring. */
const ringPlacement: ResolvedReply = { action: "complete", status: STATUS_SUCCESS, response: undefined, delayMs: 0 };
