// vmbguard/runtime: the simulated KMCL for driver-style TypeScript, with lifecycle tracking.
export * from "./api";
export * from "./channelApi";
export * from "./status";
export type {
  VMBCHANNEL,
  VMBPACKET,
  VMBPACKETCOMPLETION,
  VmbHandle,
  HandleFamily,
  ChannelState,
  PacketState,
  PacketVariant,
  CompletionState,
  EvtVmbChannelProcessPacket,
  EvtVmbChannelProcessingComplete,
  EvtVmbPacketCompletionRoutine,
  EvtVmbChannelOpened,
  EvtVmbChannelStateChange,
  EvtVmbChannelSavePacket,
  EvtVmbChannelRestorePacket,
  EvtVmbChannelPnpFailure,
  VMB_CHANNEL_STATE_CHANGE_CALLBACKS,
} from "./handles";
export { Simulation, type ChannelOptions } from "./simulation";
export type {
  SimulationOptions,
  SimulationMode,
  StackCapture,
  FaultOptions,
  FaultTrigger,
  SendFaultTrigger,
  ExternalDataPendingTrigger,
  FallibleFunction,
  HostOptions,
  HostReply,
  HostRequest,
  IncomingPacketScript,
  BytesLike,
} from "./options";
export { optionDefaults, fallibleFunctions } from "./options";
export type { SimulatedHost, DeliveryOptions, HostCompletionRecord } from "./host";
export { getSimulation, configureSimulation, resetAmbientSimulation } from "./ambient";
export { watchSimulations, type SimulationWatcher } from "./simulationWatchers";
export { withSimulation, SimulationFailure, type WithSimulationOptions } from "./withSimulation";
export { KmclViolation, KmclBugCheck, violationKinds, type ViolationKind, type ViolationRecord, type ViolationStacks } from "./violations";
export { kmclEventBus, subscribeToAllSimulations, type KmclEvent, type KmclEventKind, type KmclEventListener } from "./events";
export { formatReport, formatViolation, type SimulationReport, type SimulationStats, type HandleDescription } from "./report";
export { parseStackFrames, type StackFrame } from "./stacks";
export { runtimeEffects, type RuntimeEffect } from "./effects";
export { loadScenario, parseScenario } from "./scenario";
