/*
 * The bench's sanity check of each peer: two bugs any tool that understood the
 * VmbPacketAllocate/VmbPacketFree pair must report. A peer that misses them was not told
 * about the pair in a form it understands, and its numbers are flagged in the results.
 */
#include <ntddk.h>
#include <vmbuskernelmodeclientlibapi.h>

NTSTATUS
KnownLeak(
    _In_ VMBCHANNEL Channel,
    _In_ UINT32 Length
    )
{
    VMBPACKET packet = VmbPacketAllocate(Channel);

    if (packet == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    if (Length == 0) {
        return STATUS_INVALID_PARAMETER; // expect: leak
    }
    VmbPacketFree(packet);
    return STATUS_SUCCESS;
}

VOID
KnownDoubleFree(
    _In_ VMBCHANNEL Channel
    )
{
    VMBPACKET packet = VmbPacketAllocate(Channel);

    if (packet == NULL) {
        return;
    }
    VmbPacketFree(packet);
    VmbPacketFree(packet); // expect: double-free
}
