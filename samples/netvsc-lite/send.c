/*
 * netvsc-lite send path: data frames go out with their own completion routine (which
 * completes the NET_BUFFER_LIST and frees the packet); control messages use the default
 * completion routine, which frees the packet after a successful send.
 */
#include "driver.h"

static ULONG
NvlNextTransactionId(
    _In_ PNVL_ADAPTER Adapter
    )
{
    return (ULONG)InterlockedIncrement(&Adapter->NextTransactionId);
}

/*
 * Runs once the host has consumed the frame. Because the completion routine was replaced,
 * the packet is ours again here and must be freed.
 */
_Use_decl_annotations_
VOID
NvlSendFrameCompletion(
    VMBPACKET Packet,
    NTSTATUS Status,
    PVOID Buffer,
    UINT32 BufferLength
    )
{
    PNVL_SEND_CONTEXT sendContext = (PNVL_SEND_CONTEXT)VmbPacketGetContext(Packet);
    PNVL_ADAPTER adapter = sendContext->Adapter;

    UNREFERENCED_PARAMETER(Buffer);
    UNREFERENCED_PARAMETER(BufferLength);

    if (NT_SUCCESS(Status)) {
        InterlockedIncrement64(&adapter->Statistics.FramesSent);
    } else {
        InterlockedIncrement64(&adapter->Statistics.SendErrors);
    }
    NvlCompleteNetBufferList(adapter, sendContext->NetBufferList, Status);
    InterlockedDecrement(&adapter->OutstandingSends);
    VmbPacketFree(Packet);
}

_Use_decl_annotations_
NTSTATUS
NvlSendFrame(
    PNVL_ADAPTER Adapter,
    PVOID NetBufferList,
    PVOID Frame,
    ULONG FrameLength
    )
{
    NTSTATUS status;
    VMBPACKET packet;
    PNVL_SEND_CONTEXT sendContext;
    NVL_FRAME_MESSAGE message;

    if (FrameLength > NVL_MAX_FRAME_SIZE || FrameLength > Adapter->Mtu) {
        return STATUS_INVALID_BUFFER_SIZE;
    }
    if (!Adapter->LinkUp) {
        return STATUS_DEVICE_NOT_CONNECTED;
    }

    packet = VmbPacketAllocate(Adapter->Channel);
    /* BUG: the packet context is read before the packet is checked for NULL;
       VmbPacketAllocate returns NULL when the channel's lookaside list is exhausted. */
    sendContext = (PNVL_SEND_CONTEXT)VmbPacketGetContext(packet);
    if (packet == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }

    sendContext->Adapter = Adapter;
    sendContext->NetBufferList = NetBufferList;
    sendContext->TransactionId = NvlNextTransactionId(Adapter);
    VmbPacketSetCompletionRoutine(packet, NvlSendFrameCompletion);

    RtlZeroMemory(&message, sizeof(message));
    message.Header.Type = NvlMessageSendFrame;
    message.Header.Length = sizeof(NVL_MESSAGE_HEADER) + sizeof(ULONG) + FrameLength;
    message.Header.TransactionId = sendContext->TransactionId;
    message.FrameLength = FrameLength;
    RtlCopyMemory(message.Frame, Frame, FrameLength);

    InterlockedIncrement(&Adapter->OutstandingSends);
    status = VmbPacketSend(packet, &message, message.Header.Length, NULL,
                           VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION);
    if (!NT_SUCCESS(status)) {
        /* Not queued: the completion routine will not run, so the packet is still ours. */
        InterlockedDecrement(&Adapter->OutstandingSends);
        InterlockedIncrement64(&Adapter->Statistics.SendErrors);
        VmbPacketFree(packet);
        return status;
    }
    return STATUS_PENDING;
}

_Use_decl_annotations_
NTSTATUS
NvlSendControlMessage(
    PNVL_ADAPTER Adapter,
    PVOID Message,
    UINT32 Length
    )
{
    NTSTATUS status;
    VMBPACKET packet;

    if (Length < sizeof(NVL_MESSAGE_HEADER)) {
        return STATUS_INVALID_PARAMETER;
    }

    packet = VmbPacketAllocate(Adapter->Channel);
    if (packet == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }

    ((PNVL_MESSAGE_HEADER)Message)->TransactionId = NvlNextTransactionId(Adapter);
    status = VmbPacketSend(packet, Message, Length, NULL, VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION);
    if (!NT_SUCCESS(status)) {
        InterlockedIncrement64(&Adapter->Statistics.SendErrors);
        /* BUG: the send failed, so the default completion routine will never free the
           packet; returning here leaks it (VmbPacketFree is missing). */
        return status;
    }

    return STATUS_SUCCESS;
}

_Use_decl_annotations_
NTSTATUS
NvlSendKeepAlive(
    PNVL_ADAPTER Adapter
    )
{
    NTSTATUS status;
    VMBPACKET packet;
    NVL_MESSAGE_HEADER message;

    packet = VmbPacketAllocate(Adapter->Channel);
    if (packet == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }

    message.Type = NvlMessageKeepAlive;
    message.Length = sizeof(message);
    message.TransactionId = NvlNextTransactionId(Adapter);

    status = VmbPacketSend(packet, &message, sizeof(message), NULL, 0);
    if (!NT_SUCCESS(status)) {
        InterlockedIncrement64(&Adapter->Statistics.SendErrors);
    }
    /* BUG: freed on every path, but after a successful send the packet belongs to the
       library, whose default completion routine frees it again. Free only on failure. */
    VmbPacketFree(packet);
    return status;
}
