// A driver routine loaded by stacks.test.ts only after a Simulation enabled source maps, the way a
// debug adapter loads the program it runs: its stack frames must map back to this .ts file.
import { type VMBCHANNEL, type VMBPACKET, VmbPacketAllocate } from "../../../runtime/src/kmcl/index";

export function allocateRequestPacket(channel: VMBCHANNEL): VMBPACKET | null {
  return VmbPacketAllocate(channel);
}
