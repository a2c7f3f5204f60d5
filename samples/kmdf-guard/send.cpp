// kmdf-guard: the send path. Packets are held by a PacketGuard until the library owns them.
#include "guard.h"

_Use_decl_annotations_
NTSTATUS KgdDevice::SendControl(PVOID Buffer, UINT32 Size)
{
    PacketGuard guard(VmbPacketAllocate(m_channel));
    if (guard.Get() == nullptr) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    NTSTATUS status = VmbPacketSend(guard.Get(), Buffer, Size, nullptr, VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION, 0);
    if (!NT_SUCCESS(status)) {
        // The guard frees the packet that was not sent.
        return status;
    }
    // Sent: the default completion routine frees it now.
    guard.Detach();
    return STATUS_SUCCESS;
}

_Use_decl_annotations_
NTSTATUS KgdDevice::SendData(PVOID Buffer, UINT32 Size)
{
    PacketGuard guard(VmbPacketAllocate(m_channel));
    if (guard.Get() == nullptr) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    VMBPACKET packet = guard.Detach();
    NTSTATUS status = VmbPacketSend(packet, Buffer, Size, nullptr, 0, 0);
    if (!NT_SUCCESS(status)) {
        /* BUG: the packet was detached from its guard before the send; nobody frees it when the send fails. */
        return status;
    }
    return STATUS_SUCCESS;
}

NTSTATUS KgdDevice::SendPing()
{
    VMBPACKET packet = VmbPacketAllocate(m_channel);
    if (packet == nullptr) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    PacketGuard guard(packet);
    if (m_pingsEnabled == 0) {
        VmbPacketFree(packet);
        /* BUG: the guard still holds the packet it was given and frees it again here. */
        return STATUS_NOT_SUPPORTED;
    }
    NTSTATUS status = VmbPacketSend(packet, nullptr, 0, nullptr, 0, 0);
    if (NT_SUCCESS(status)) {
        guard.Detach();
    }
    return status;
}
