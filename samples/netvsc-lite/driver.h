/*
 * netvsc-lite: a cut-down synthetic NIC client for VMBus, written against the KMCL.
 *
 * It exists to show what VmbGuard finds: the code around the marked bugs is correct, and
 * each bug is marked with a BUG comment (see samples/README.md for the expected findings).
 */
#pragma once

#include <ntddk.h>
#include <vmbuskernelmodeclientlibapi.h>

#define NVL_POOL_TAG                 'lvsN'
#define NVL_RING_BUFFER_PAGES        64
#define NVL_MAX_FRAME_SIZE           1514
#define NVL_MAX_DEFERRED_COMPLETIONS 32
#define NVL_PROTOCOL_VERSION         0x00060001

typedef enum _NVL_MESSAGE_TYPE {
    NvlMessageInit = 1,
    NvlMessageInitComplete,
    NvlMessageSendNdisConfig,
    NvlMessageSendFrame,
    NvlMessageSendFrameComplete,
    NvlMessageReceiveFrame,
    NvlMessageLinkStatus,
    NvlMessageKeepAlive
} NVL_MESSAGE_TYPE;

typedef struct _NVL_MESSAGE_HEADER {
    ULONG Type;
    ULONG Length;
    ULONG TransactionId;
} NVL_MESSAGE_HEADER, *PNVL_MESSAGE_HEADER;

typedef struct _NVL_INIT_MESSAGE {
    NVL_MESSAGE_HEADER Header;
    ULONG MinProtocolVersion;
    ULONG MaxProtocolVersion;
} NVL_INIT_MESSAGE, *PNVL_INIT_MESSAGE;

typedef struct _NVL_NDIS_CONFIG_MESSAGE {
    NVL_MESSAGE_HEADER Header;
    ULONG Mtu;
    ULONG Capabilities;
} NVL_NDIS_CONFIG_MESSAGE, *PNVL_NDIS_CONFIG_MESSAGE;

typedef struct _NVL_FRAME_MESSAGE {
    NVL_MESSAGE_HEADER Header;
    ULONG FrameLength;
    UCHAR Frame[NVL_MAX_FRAME_SIZE];
} NVL_FRAME_MESSAGE, *PNVL_FRAME_MESSAGE;

typedef struct _NVL_LINK_STATUS_MESSAGE {
    NVL_MESSAGE_HEADER Header;
    ULONG LinkUp;
    ULONG SpeedMbps;
} NVL_LINK_STATUS_MESSAGE, *PNVL_LINK_STATUS_MESSAGE;

/* Per-packet context of an outgoing frame, reached through VmbPacketGetContext. */
typedef struct _NVL_SEND_CONTEXT {
    struct _NVL_ADAPTER *Adapter;
    PVOID NetBufferList;
    ULONG TransactionId;
} NVL_SEND_CONTEXT, *PNVL_SEND_CONTEXT;

typedef struct _NVL_DEFERRED_COMPLETION {
    VMBPACKETCOMPLETION Completion;
    PVOID Buffer;
    UINT32 BufferLength;
} NVL_DEFERRED_COMPLETION, *PNVL_DEFERRED_COMPLETION;

typedef struct _NVL_STATISTICS {
    volatile LONG64 FramesSent;
    volatile LONG64 SendErrors;
    volatile LONG64 FramesReceived;
    volatile LONG64 ReceiveErrors;
} NVL_STATISTICS;

typedef struct _NVL_ADAPTER {
    PDEVICE_OBJECT DeviceObject;
    VMBCHANNEL Channel;
    KSPIN_LOCK Lock;
    volatile LONG NextTransactionId;
    volatile LONG OutstandingSends;
    BOOLEAN LinkUp;
    BOOLEAN ReceivePaused;
    ULONG Mtu;
    ULONG NegotiatedVersion;
    ULONG DeferredCount;
    NVL_DEFERRED_COMPLETION Deferred[NVL_MAX_DEFERRED_COMPLETIONS];
    NVL_STATISTICS Statistics;
} NVL_ADAPTER, *PNVL_ADAPTER;

/* channel.c */
NTSTATUS NvlChannelOpen(_Inout_ PNVL_ADAPTER Adapter);
VOID NvlChannelClose(_Inout_ PNVL_ADAPTER Adapter);

/* send.c */
EVT_VMB_PACKET_COMPLETION_ROUTINE NvlSendFrameCompletion;
NTSTATUS NvlSendFrame(_In_ PNVL_ADAPTER Adapter, _In_ PVOID NetBufferList, _In_reads_bytes_(FrameLength) PVOID Frame, _In_ ULONG FrameLength);
NTSTATUS NvlSendControlMessage(_In_ PNVL_ADAPTER Adapter, _In_reads_bytes_(Length) PVOID Message, _In_ UINT32 Length);
NTSTATUS NvlSendKeepAlive(_In_ PNVL_ADAPTER Adapter);

/* receive.c */
EVT_VMB_CHANNEL_PROCESS_PACKET NvlProcessPacket;
VOID NvlResumeReceive(_Inout_ PNVL_ADAPTER Adapter);

/* Provided by the NDIS glue layer (not part of this sample). */
VOID NvlIndicateReceivedFrame(_In_ PNVL_ADAPTER Adapter, _In_reads_bytes_(Length) PVOID Frame, _In_ ULONG Length);
VOID NvlCompleteNetBufferList(_In_ PNVL_ADAPTER Adapter, _In_ PVOID NetBufferList, _In_ NTSTATUS Status);
VOID NvlIndicateLinkState(_In_ PNVL_ADAPTER Adapter, _In_ BOOLEAN LinkUp, _In_ ULONG SpeedMbps);
