// Test helper: generates driver-like C (SAL, allocation, send, switch, loops, goto cleanup)
// of a requested size, for throughput measurements.

function sendFunction(index: number): string {
  return `_Use_decl_annotations_
NTSTATUS
SendThing${index}(_In_ VMBCHANNEL Channel, _In_reads_bytes_(Length) PVOID Buffer, UINT32 Length, BOOLEAN Flag)
{
    VMBPACKET packet = NULL;
    NTSTATUS status = STATUS_SUCCESS;
    PMY_CONTEXT ctx = (PMY_CONTEXT)Buffer;

    packet = VmbPacketAllocate(Channel);
    if (packet == NULL || ctx == NULL) {
        status = STATUS_INSUFFICIENT_RESOURCES;
        goto cleanup;
    }
    for (UINT32 i = 0; i < Length; i++) {
        ctx->Data[i] = (UCHAR)(i & 0xff);
        if (Flag && !ctx->Enabled) {
            break;
        }
    }
    switch (ctx->Mode) {
    case 1:
        ctx->Count++;
    case 2:
        status = VmbPacketSend(packet, Buffer, Length, NULL, VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION);
        if (NT_SUCCESS(status)) {
            packet = NULL;
        }
        break;
    default:
        status = STATUS_INVALID_PARAMETER;
        break;
    }
cleanup:
    if (packet != NULL) {
        Kmcl->VmbPacketFree(packet);
    }
    return status;
}

`;
}

const LINES_PER_FUNCTION = sendFunction(0).split("\n").length - 1;

/** About `lines` lines of C, in functions named `SendThing0`, `SendThing1`... */
export function driverLikeSource(lines: number): { text: string; functions: number } {
  const functions = Math.max(1, Math.round(lines / LINES_PER_FUNCTION));
  const parts: string[] = [];
  for (let index = 0; index < functions; index++) parts.push(sendFunction(index));
  return { text: parts.join(""), functions };
}
