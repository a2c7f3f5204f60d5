/*
 * netvsc-lite receive path. Every packet the host delivers must be completed with
 * VmbChannelPacketComplete, either in the callback or later when the receive path is
 * resumed (the completion is then kept in the adapter's deferred queue).
 */
#include "driver.h"

static VOID
NvlProcessLinkStatus(
    _In_ PNVL_ADAPTER Adapter,
    _In_ PNVL_LINK_STATUS_MESSAGE Message
    )
{
    Adapter->LinkUp = (Message->LinkUp != 0);
    NvlIndicateLinkState(Adapter, Adapter->LinkUp, Message->SpeedMbps);
}

/* Indicates a received frame now, or keeps the packet for NvlResumeReceive while paused. */
static VOID
NvlProcessReceivedFrame(
    _In_ PNVL_ADAPTER Adapter,
    _In_ VMBPACKETCOMPLETION Completion,
    _In_ PNVL_FRAME_MESSAGE Message,
    _In_ UINT32 BufferLength
    )
{
    KIRQL oldIrql;
    PNVL_DEFERRED_COMPLETION slot;

    if (Adapter->ReceivePaused) {
        KeAcquireSpinLock(&Adapter->Lock, &oldIrql);
        if (Adapter->DeferredCount < NVL_MAX_DEFERRED_COMPLETIONS) {
            slot = &Adapter->Deferred[Adapter->DeferredCount];
            slot->Completion = Completion;
            slot->Buffer = Message;
            slot->BufferLength = BufferLength;
            Adapter->DeferredCount += 1;
            KeReleaseSpinLock(&Adapter->Lock, oldIrql);
            return;
        }
        KeReleaseSpinLock(&Adapter->Lock, oldIrql);

        /* The queue is full: drop the frame, but the packet must still be completed. */
        InterlockedIncrement64(&Adapter->Statistics.ReceiveErrors);
        VmbChannelPacketComplete(Completion, NULL, 0);
        return;
    }

    NvlIndicateReceivedFrame(Adapter, Message->Frame, Message->FrameLength);
    InterlockedIncrement64(&Adapter->Statistics.FramesReceived);
    VmbChannelPacketComplete(Completion, NULL, 0);
}

_Use_decl_annotations_
VOID
NvlProcessPacket(
    VMBCHANNEL Channel,
    VMBPACKETCOMPLETION Packet,
    PVOID Buffer,
    UINT32 BufferLength,
    UINT32 Flags
    )
{
    PNVL_ADAPTER adapter = (PNVL_ADAPTER)VmbChannelGetPointer(Channel);
    PNVL_MESSAGE_HEADER header = (PNVL_MESSAGE_HEADER)Buffer;

    UNREFERENCED_PARAMETER(Flags);

    if (BufferLength < sizeof(NVL_MESSAGE_HEADER)) {
        InterlockedIncrement64(&adapter->Statistics.ReceiveErrors);
        VmbChannelPacketComplete(Packet, NULL, 0);
        return;
    }

    switch (header->Type) {
    case NvlMessageReceiveFrame:
        if (BufferLength < sizeof(NVL_MESSAGE_HEADER) + sizeof(ULONG) ||
            ((PNVL_FRAME_MESSAGE)header)->FrameLength > NVL_MAX_FRAME_SIZE) {
            InterlockedIncrement64(&adapter->Statistics.ReceiveErrors);
            /* BUG: a malformed frame is dropped without VmbChannelPacketComplete; the host
               never gets its ring space back and the channel eventually stalls. */
            return;
        }
        NvlProcessReceivedFrame(adapter, Packet, (PNVL_FRAME_MESSAGE)header, BufferLength);
        break;

    case NvlMessageLinkStatus:
        if (BufferLength >= sizeof(NVL_LINK_STATUS_MESSAGE)) {
            NvlProcessLinkStatus(adapter, (PNVL_LINK_STATUS_MESSAGE)header);
        }
        VmbChannelPacketComplete(Packet, NULL, 0);
        break;

    case NvlMessageInitComplete:
    case NvlMessageSendFrameComplete:
        VmbChannelPacketComplete(Packet, NULL, 0);
        break;

    default:
        InterlockedIncrement64(&adapter->Statistics.ReceiveErrors);
        VmbChannelPacketComplete(Packet, NULL, 0);
        break;
    }
}

/* Indicates and completes everything queued while the receive path was paused. */
_Use_decl_annotations_
VOID
NvlResumeReceive(
    PNVL_ADAPTER Adapter
    )
{
    KIRQL oldIrql;
    ULONG index;
    ULONG count;
    NVL_DEFERRED_COMPLETION pending[NVL_MAX_DEFERRED_COMPLETIONS];
    PNVL_FRAME_MESSAGE message;

    KeAcquireSpinLock(&Adapter->Lock, &oldIrql);
    count = Adapter->DeferredCount;
    RtlCopyMemory(pending, Adapter->Deferred, count * sizeof(NVL_DEFERRED_COMPLETION));
    Adapter->DeferredCount = 0;
    Adapter->ReceivePaused = FALSE;
    KeReleaseSpinLock(&Adapter->Lock, oldIrql);

    for (index = 0; index < count; index++) {
        message = (PNVL_FRAME_MESSAGE)pending[index].Buffer;
        if (Adapter->LinkUp) {
            NvlIndicateReceivedFrame(Adapter, message->Frame, message->FrameLength);
        }
        VmbChannelPacketComplete(pending[index].Completion, NULL, 0);
    }
}
