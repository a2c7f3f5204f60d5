// kmdf-guard: the packet guard and the device context of a small KMDF-style VMBus client in C++.
#pragma once

#include <ntddk.h>
#include <wdf.h>
#include <vmbuskernelmodeclientlibapi.h>

#define KGD_POOL_TAG 'dgGK'

// Owns one VMBus packet and frees it when it goes out of scope, unless it was detached.
class PacketGuard {
public:
    explicit PacketGuard(VMBPACKET Packet) : m_packet(Packet) {}

    PacketGuard(PacketGuard&& Other) : m_packet(Other.m_packet)
    {
        Other.m_packet = nullptr;
    }

    ~PacketGuard()
    {
        if (m_packet != nullptr) {
            VmbPacketFree(m_packet);
        }
    }

    VMBPACKET Get() const { return m_packet; }

    // Hands the packet back: the caller owns it from here.
    VMBPACKET Detach()
    {
        VMBPACKET packet = m_packet;
        m_packet = nullptr;
        return packet;
    }

private:
    VMBPACKET m_packet;
};

struct KGD_REQUEST {
    ULONG Id;
    ULONG Length;
};

class KgdDevice {
public:
    NTSTATUS SendControl(_In_reads_bytes_(Size) PVOID Buffer, _In_ UINT32 Size);
    NTSTATUS SendData(_In_reads_bytes_(Size) PVOID Buffer, _In_ UINT32 Size);
    NTSTATUS SendPing();
    NTSTATUS QueueRequest(_In_ ULONG Id, _In_ ULONG Length);
    NTSTATUS Submit(_In_ KGD_REQUEST* Request);

private:
    VMBCHANNEL m_channel;
    ULONG m_pingsEnabled;
};

typedef struct _KGD_DEVICE_CONTEXT {
    KgdDevice* Device;
} KGD_DEVICE_CONTEXT, *PKGD_DEVICE_CONTEXT;

WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(KGD_DEVICE_CONTEXT, KgdGetDeviceContext)
