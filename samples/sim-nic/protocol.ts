// The side of sim-nic a real driver never sees: NDIS and the protocol stack above the miniport,
// reduced to what drives traffic through it. main.ts (what F5 runs) and the sample's test both use
// it, so the debugger and the test push exactly the same traffic.
import { type NTSTATUS, type Simulation } from "vmbguard/runtime";
import {
  type SimNicAdapter,
  type SimNicNetBufferList,
  type SimNicProtocol,
  type SimNicReceivedNetBufferList,
  SimNicReturnNetBufferLists,
  SimNicSendNetBufferLists,
} from "./driver";

/** Records what the miniport indicates, and holds received frames until the next return. */
export class SimNicProtocolStub implements SimNicProtocol {
  readonly sendCompletions: { id: number; status: NTSTATUS }[] = [];
  readonly receivedFrames: Uint8Array[] = [];
  readonly linkStates: boolean[] = [];
  private held: SimNicReceivedNetBufferList[] = [];

  sendNetBufferListComplete(nbl: SimNicNetBufferList, status: NTSTATUS): void {
    this.sendCompletions.push({ id: nbl.id, status });
  }

  indicateReceiveNetBufferList(nbl: SimNicReceivedNetBufferList): void {
    // Copied now: the bytes belong to the host's receive buffer once the frame is returned.
    this.receivedFrames.push(nbl.frame.slice());
    this.held.push(nbl);
  }

  indicateLinkState(connected: boolean): void {
    this.linkStates.push(connected);
  }

  /** The frames indicated since the last call, for MiniportReturnNetBufferLists. */
  takeHeldFrames(): SimNicReceivedNetBufferList[] {
    const frames = this.held;
    this.held = [];
    return frames;
  }
}

export const SIM_NIC_TRAFFIC = { bursts: 4, framesPerBurst: 2, burstIntervalMs: 10 } as const;

/** An Ethernet II frame from this adapter to the host's MAC, carrying `frame <id>` as an IPv4 payload. */
function SimNicTestFrame(id: number): Uint8Array {
  const payload = new TextEncoder().encode(`frame ${id}`);
  const header = [0x00, 0x15, 0x5d, 0x00, 0x00, 0x02, 0x00, 0x15, 0x5d, 0x00, 0x00, 0x01, 0x08, 0x00];
  const frame = new Uint8Array(header.length + payload.length);
  frame.set(header);
  frame.set(payload, header.length);
  return frame;
}

/**
 * Bursts of sends with virtual time between them: the host completes the sends and delivers the
 * frames the scenario scheduled, and the protocol returns the frames it received at the end of each
 * burst (so a burst that receives more frames than the receive pool holds drops the extra ones).
 */
export function SimNicRunTraffic(sim: Simulation, adapter: SimNicAdapter, protocol: SimNicProtocolStub): void {
  let nextId = 1;
  for (let burst = 0; burst < SIM_NIC_TRAFFIC.bursts; burst++) {
    const nbls = Array.from({ length: SIM_NIC_TRAFFIC.framesPerBurst }, () => {
      const id = nextId++;
      return { id, frame: SimNicTestFrame(id) };
    });
    SimNicSendNetBufferLists(adapter, nbls);
    sim.advance(SIM_NIC_TRAFFIC.burstIntervalMs);
    SimNicReturnNetBufferLists(adapter, protocol.takeHeldFrames());
  }
  // Whatever the host still has scheduled arrives before the adapter halts.
  sim.runUntilIdle();
  SimNicReturnNetBufferLists(adapter, protocol.takeHeldFrames());
}
