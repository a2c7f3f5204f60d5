/*
 * Just enough of the WDK and of vmbuskernelmodeclientlibapi.h for gcc, clang and cppcheck
 * to compile the WDK-style fixtures and the generated corpus. Force-included by the bench.
 *
 * Each compiler is told which calls allocate and which free, in the form it understands:
 *   gcc >= 11   __attribute__((malloc(Deallocator, 1)))        -fanalyzer
 *   clang       ownership_returns / ownership_takes            unix.DynamicMemoryModeling:Optimistic=true
 *               (clang's MallocChecker ignores every ownership module but "malloc", so all
 *               families share that one name there and clang cannot tell them apart)
 *   cppcheck    nothing here: bench/peers/kmcl.cfg carries the pairs
 */
#ifndef VMBGUARD_BENCH_KMCL_STUB_H
#define VMBGUARD_BENCH_KMCL_STUB_H

#ifndef __CPPCHECK__
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#endif

#if defined(__CPPCHECK__)
#define KMCL_ALLOCATES(module, ...)
#define KMCL_FREES(module, index)
#elif defined(__clang__)
#define KMCL_ALLOCATES(module, ...) __attribute__((ownership_returns(malloc)))
#define KMCL_FREES(module, index) __attribute__((ownership_takes(malloc, index)))
#elif defined(__GNUC__) && __GNUC__ >= 11
#define KMCL_ALLOCATES(module, ...) __attribute__((malloc, __VA_ARGS__))
#define KMCL_FREES(module, index)
#else
#define KMCL_ALLOCATES(module, ...)
#define KMCL_FREES(module, index)
#endif
/* gcc's spelling of "released by": only expanded in the gcc branch above. */
#define KMCL_RELEASED_BY(deallocator) malloc(deallocator, 1)

/* ---- Basic Windows types ------------------------------------------------------------- */
#define VOID void
#define CONST const
#define IN
#define OUT
#define OPTIONAL
#define NTAPI
#define WINAPI
#define __stdcall
#define __cdecl
#define __fastcall
#define __inline inline
#define __forceinline inline
#define FORCEINLINE static inline
#define DECLSPEC_NOINLINE
#define EXTERN_C extern
#define UNREFERENCED_PARAMETER(P) ((void)(P))
#define ARGUMENT_PRESENT(P) ((P) != NULL)
#define RTL_NUMBER_OF(A) (sizeof(A) / sizeof((A)[0]))
#define ARRAYSIZE(A) RTL_NUMBER_OF(A)
#define FIELD_OFFSET(T, F) offsetof(T, F)
#define CONTAINING_RECORD(address, type, field) ((type *)((char *)(address) - offsetof(type, field)))
#ifndef NULL
#define NULL ((void *)0)
#endif
#define TRUE 1
#define FALSE 0

typedef void *PVOID;
typedef const void *PCVOID;
typedef char CHAR, *PCHAR;
typedef unsigned char UCHAR, *PUCHAR, BYTE, *PBYTE;
typedef unsigned char BOOLEAN, *PBOOLEAN;
typedef int BOOL;
typedef short SHORT;
typedef unsigned short USHORT, *PUSHORT, WCHAR, *PWCHAR, *PWSTR;
typedef const unsigned short *PCWSTR;
typedef const char *PCSTR;
typedef int LONG, *PLONG;
typedef unsigned int ULONG, *PULONG, DWORD;
typedef long long LONGLONG, LONG64;
typedef unsigned long long ULONGLONG, ULONG64, *PULONG64, DWORD64;
typedef signed char INT8;
typedef unsigned char UINT8, *PUINT8;
typedef short INT16;
typedef unsigned short UINT16, *PUINT16;
typedef int INT32;
typedef unsigned int UINT32, *PUINT32;
typedef long long INT64;
typedef unsigned long long UINT64, *PUINT64;
typedef unsigned long ULONG_PTR, *PULONG_PTR;
typedef long LONG_PTR;
typedef size_t SIZE_T, *PSIZE_T;
typedef UCHAR KIRQL, *PKIRQL;
typedef ULONG_PTR KSPIN_LOCK, *PKSPIN_LOCK;
typedef union _LARGE_INTEGER { struct { ULONG LowPart; LONG HighPart; } u; LONGLONG QuadPart; } LARGE_INTEGER, *PLARGE_INTEGER;
typedef LARGE_INTEGER PHYSICAL_ADDRESS;
typedef struct _GUID { ULONG Data1; USHORT Data2; USHORT Data3; UCHAR Data4[8]; } GUID, *PGUID;
typedef struct _LIST_ENTRY { struct _LIST_ENTRY *Flink; struct _LIST_ENTRY *Blink; } LIST_ENTRY, *PLIST_ENTRY;
typedef struct _UNICODE_STRING { USHORT Length; USHORT MaximumLength; PWSTR Buffer; } UNICODE_STRING, *PUNICODE_STRING;

/* ---- NTSTATUS ------------------------------------------------------------------------- */
typedef LONG NTSTATUS, *PNTSTATUS;
#define NT_SUCCESS(Status) (((NTSTATUS)(Status)) >= 0)
#define STATUS_SUCCESS ((NTSTATUS)0x00000000L)
#define STATUS_PENDING ((NTSTATUS)0x00000103L)
#define STATUS_MORE_PROCESSING_REQUIRED ((NTSTATUS)0xC0000016L)
#define STATUS_UNSUCCESSFUL ((NTSTATUS)0xC0000001L)
#define STATUS_NOT_IMPLEMENTED ((NTSTATUS)0xC0000002L)
#define STATUS_INVALID_PARAMETER ((NTSTATUS)0xC000000DL)
#define STATUS_NO_MEMORY ((NTSTATUS)0xC0000017L)
#define STATUS_BUFFER_TOO_SMALL ((NTSTATUS)0xC0000023L)
#define STATUS_BUFFER_OVERFLOW ((NTSTATUS)0x80000005L)
#define STATUS_INSUFFICIENT_RESOURCES ((NTSTATUS)0xC000009AL)
#define STATUS_DEVICE_NOT_READY ((NTSTATUS)0xC00000A3L)
#define STATUS_NOT_SUPPORTED ((NTSTATUS)0xC00000BBL)
#define STATUS_CANCELLED ((NTSTATUS)0xC0000120L)
#define STATUS_INVALID_DEVICE_STATE ((NTSTATUS)0xC0000184L)
#define STATUS_INVALID_DEVICE_REQUEST ((NTSTATUS)0xC0000010L)
#define STATUS_DEVICE_BUSY ((NTSTATUS)0x80000011L)
#define STATUS_NOT_FOUND ((NTSTATUS)0xC0000225L)
#define STATUS_TIMEOUT ((NTSTATUS)0x00000102L)
#define STATUS_RETRY ((NTSTATUS)0xC000022DL)
#define STATUS_DATA_ERROR ((NTSTATUS)0xC000003EL)
#define STATUS_INVALID_BUFFER_SIZE ((NTSTATUS)0xC0000206L)
#define STATUS_CONNECTION_DISCONNECTED ((NTSTATUS)0xC000020CL)
#define STATUS_DEVICE_REMOVED ((NTSTATUS)0xC00002B6L)
#define STATUS_NO_SUCH_DEVICE ((NTSTATUS)0xC000000EL)
#define STATUS_DEVICE_NOT_CONNECTED ((NTSTATUS)0xC000009DL)
#define STATUS_INVALID_HANDLE ((NTSTATUS)0xC0000008L)
#define STATUS_ACCESS_DENIED ((NTSTATUS)0xC0000022L)
#define STATUS_INTEGER_OVERFLOW ((NTSTATUS)0xC0000095L)
#define STATUS_REQUEST_ABORTED ((NTSTATUS)0xC0000240L)
#define STATUS_IO_TIMEOUT ((NTSTATUS)0xC00000B5L)
#define STATUS_REVISION_MISMATCH ((NTSTATUS)0xC0000059L)
#define STATUS_OBJECT_NAME_NOT_FOUND ((NTSTATUS)0xC0000034L)
#define STATUS_INVALID_PARAMETER_1 ((NTSTATUS)0xC00000EFL)
#define STATUS_INVALID_PARAMETER_2 ((NTSTATUS)0xC00000F0L)
#define STATUS_NOT_ENOUGH_MEMORY STATUS_NO_MEMORY
#define STATUS_END_OF_FILE ((NTSTATUS)0xC0000011L)
#define STATUS_ALREADY_REGISTERED ((NTSTATUS)0xC0000718L)
#define STATUS_QUOTA_EXCEEDED ((NTSTATUS)0xC0000044L)

/* ---- SAL and driver annotations: all empty for the peers -------------------------------- */
#define _In_
#define _In_opt_
#define _Out_
#define _Out_opt_
#define _Inout_
#define _Inout_opt_
#define _In_z_
#define _Outptr_
#define _Outptr_opt_
#define _Outptr_result_maybenull_
#define _Outptr_result_nullonfailure_
#define _Ret_maybenull_
#define _Ret_notnull_
#define _Must_inspect_result_
#define _Check_return_
#define _Use_decl_annotations_
#define _Post_invalid_
#define _Post_ptr_invalid_
#define _Pre_notnull_
#define _Post_notnull_
#define _Notnull_
#define _Maybenull_
#define _Frees_ptr_
#define _Frees_ptr_opt_
#define _Kernel_float_used_
#define _Struct_size_bytes_(size)
#define _In_reads_(count)
#define _In_reads_opt_(count)
#define _In_reads_bytes_(size)
#define _In_reads_bytes_opt_(size)
#define _Out_writes_(count)
#define _Out_writes_opt_(count)
#define _Out_writes_bytes_(size)
#define _Out_writes_bytes_opt_(size)
#define _Out_writes_bytes_to_(size, count)
#define _Inout_updates_(count)
#define _Inout_updates_bytes_(size)
#define _Field_size_(count)
#define _Field_size_bytes_(size)
#define _When_(condition, annotation)
#define _Success_(condition)
#define _Return_type_success_(condition)
#define _At_(target, annotation)
#define _Function_class_(name)
#define _Dispatch_type_(kind)
#define _IRQL_requires_(irql)
#define _IRQL_requires_max_(irql)
#define _IRQL_requires_min_(irql)
#define _IRQL_requires_same_
#define _IRQL_raises_(irql)
#define _IRQL_saves_
#define _IRQL_restores_
#define _IRQL_saves_global_(kind, param)
#define _IRQL_restores_global_(kind, param)
#define _Requires_lock_held_(lock)
#define _Requires_lock_not_held_(lock)
#define _Acquires_lock_(lock)
#define _Releases_lock_(lock)
#define _Guarded_by_(lock)
#define _Analysis_assume_(expr)
#define _Analysis_mode_(mode)
#define __drv_allocatesMem(kind)
#define __drv_freesMem(kind)
#define __drv_aliasesMem
#define __drv_when(condition, annotation)
#define __drv_requiresIRQL(irql)
#define __drv_maxIRQL(irql)
#define __drv_dispatchType(kind)
#define __drv_mustHold(kind)
#define __drv_strictTypeMatch(mode)
#define __drv_functionClass(name)
#define PASSIVE_LEVEL 0
#define APC_LEVEL 1
#define DISPATCH_LEVEL 2

/*
 * Structured exception handling, approximated in C: the guarded block becomes do { } while (0)
 * so that __leave (break) reaches the __finally block, which always runs; an __except handler
 * never runs. A return inside __try skips the __finally block here, unlike SEH.
 */
#define __try do
#define __leave break
#define __finally while (0);
#define __except(filter) while (0); if (0)
/* excpt.h's lowercase spellings, for C only, as in the WDK. */
#ifndef __cplusplus
#define try __try
#define leave __leave
#define finally __finally
#define except __except
#endif
#define EXCEPTION_EXECUTE_HANDLER 1
#define EXCEPTION_CONTINUE_SEARCH 0
#define EXCEPTION_CONTINUE_EXECUTION (-1)
typedef struct _EXCEPTION_RECORD { NTSTATUS ExceptionCode; ULONG ExceptionFlags; PVOID ExceptionAddress; } EXCEPTION_RECORD, *PEXCEPTION_RECORD;
typedef struct _EXCEPTION_POINTERS { PEXCEPTION_RECORD ExceptionRecord; PVOID ContextRecord; } EXCEPTION_POINTERS, *PEXCEPTION_POINTERS;
#define GetExceptionCode() ((NTSTATUS)0xC0000005L)
#define GetExceptionInformation() ((PEXCEPTION_POINTERS)NULL)
#define _exception_code GetExceptionCode
#define _exception_info GetExceptionInformation

/* ---- Kernel objects the fixtures touch ---------------------------------------------------- */
typedef struct _DEVICE_OBJECT *PDEVICE_OBJECT;
typedef struct _DRIVER_OBJECT *PDRIVER_OBJECT;
typedef struct _IRP *PIRP;
typedef struct _MDL { struct _MDL *Next; SHORT Size; SHORT MdlFlags; PVOID MappedSystemVa; PVOID StartVa; ULONG ByteCount; ULONG ByteOffset; } MDL, *PMDL;
/* See VMBPACKET_BORROWED below. */
typedef const MDL *PMDL_BORROWED;
typedef struct _KEVENT { LONG Header[6]; } KEVENT, *PKEVENT;
typedef struct _KDPC { ULONG_PTR Reserved[8]; } KDPC, *PKDPC;
typedef struct _WORK_QUEUE_ITEM { LIST_ENTRY List; PVOID Routine; PVOID Parameter; } WORK_QUEUE_ITEM;
typedef enum _MEMORY_CACHING_TYPE { MmNonCached, MmCached, MmWriteCombined } MEMORY_CACHING_TYPE;
typedef enum _MM_PAGE_PRIORITY { LowPagePriority, NormalPagePriority = 16, HighPagePriority = 32 } MM_PAGE_PRIORITY;
typedef enum _LOCK_OPERATION { IoReadAccess, IoWriteAccess, IoModifyAccess } LOCK_OPERATION;
typedef enum _KPROCESSOR_MODE { KernelMode, UserMode } KPROCESSOR_MODE;
#define MdlMappingNoExecute 0x40000000

VOID KeInitializeSpinLock(PKSPIN_LOCK SpinLock);
VOID KeAcquireSpinLock(PKSPIN_LOCK SpinLock, PKIRQL OldIrql);
VOID KeReleaseSpinLock(PKSPIN_LOCK SpinLock, KIRQL NewIrql);
VOID KeAcquireSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock);
VOID KeReleaseSpinLockFromDpcLevel(PKSPIN_LOCK SpinLock);
KIRQL KeGetCurrentIrql(void);
VOID KeBugCheckEx(ULONG BugCheckCode, ULONG_PTR P1, ULONG_PTR P2, ULONG_PTR P3, ULONG_PTR P4) __attribute__((noreturn));
VOID KeBugCheck(ULONG BugCheckCode) __attribute__((noreturn));
LONG InterlockedIncrement(LONG volatile *Addend);
LONG InterlockedDecrement(LONG volatile *Addend);
PVOID InterlockedExchangePointer(PVOID volatile *Target, PVOID Value);
PVOID InterlockedCompareExchangePointer(PVOID volatile *Destination, PVOID Exchange, PVOID Comparand);
VOID InitializeListHead(PLIST_ENTRY ListHead);
VOID InsertTailList(PLIST_ENTRY ListHead, PLIST_ENTRY Entry);
VOID InsertHeadList(PLIST_ENTRY ListHead, PLIST_ENTRY Entry);
PLIST_ENTRY RemoveHeadList(PLIST_ENTRY ListHead);
BOOLEAN RemoveEntryList(PLIST_ENTRY Entry);
BOOLEAN IsListEmpty(const LIST_ENTRY *ListHead);
/* As wdm.h spells them: the compilers know these and do not treat the buffer as handed away. */
#define RtlZeroMemory(Destination, Length) memset((Destination), 0, (Length))
#define RtlCopyMemory(Destination, Source, Length) memcpy((Destination), (Source), (Length))
#define RtlMoveMemory(Destination, Source, Length) memmove((Destination), (Source), (Length))
#define RtlFillMemory(Destination, Length, Fill) memset((Destination), (Fill), (Length))
#define RtlEqualMemory(Destination, Source, Length) (!memcmp((Destination), (Source), (Length)))
ULONG DbgPrint(PCSTR Format, ...);
ULONG DbgPrintEx(ULONG ComponentId, ULONG Level, PCSTR Format, ...);
#define KdPrint(args) ((void)0)
#define NT_ASSERT(expr) ((void)0)
#define ASSERT(expr) ((void)0)

/* ---- wdk-pool ------------------------------------------------------------------------------- */
typedef enum _POOL_TYPE { NonPagedPool, PagedPool, NonPagedPoolNx = 512 } POOL_TYPE;
typedef ULONG64 POOL_FLAGS;
#define POOL_FLAG_NON_PAGED 0x0000000000000040ULL
#define POOL_FLAG_PAGED 0x0000000000000100ULL
#define POOL_FLAG_UNINITIALIZED 0x0000000000000002ULL

VOID ExFreePoolWithTag(PVOID P, ULONG Tag) KMCL_FREES(pool, 1);
VOID ExFreePool(PVOID P) KMCL_FREES(pool, 1);
VOID ExFreePool2(PVOID P, ULONG Tag, PVOID Parameters, ULONG Count) KMCL_FREES(pool, 1);
#define KMCL_POOL_RELEASERS KMCL_RELEASED_BY(ExFreePoolWithTag), KMCL_RELEASED_BY(ExFreePool), KMCL_RELEASED_BY(ExFreePool2)
PVOID ExAllocatePool2(POOL_FLAGS Flags, SIZE_T NumberOfBytes, ULONG Tag) KMCL_ALLOCATES(pool, KMCL_POOL_RELEASERS);
PVOID ExAllocatePool3(POOL_FLAGS Flags, SIZE_T NumberOfBytes, ULONG Tag, PVOID ExtendedParameters, ULONG Count) KMCL_ALLOCATES(pool, KMCL_POOL_RELEASERS);
PVOID ExAllocatePoolWithTag(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag) KMCL_ALLOCATES(pool, KMCL_POOL_RELEASERS);
PVOID ExAllocatePool(POOL_TYPE PoolType, SIZE_T NumberOfBytes) KMCL_ALLOCATES(pool, KMCL_POOL_RELEASERS);
PVOID ExAllocatePoolZero(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag) KMCL_ALLOCATES(pool, KMCL_POOL_RELEASERS);
PVOID ExAllocatePoolUninitialized(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag) KMCL_ALLOCATES(pool, KMCL_POOL_RELEASERS);
PVOID ExAllocatePoolWithQuotaTag(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag) KMCL_ALLOCATES(pool, KMCL_POOL_RELEASERS);

/* ---- wdk-mdl -------------------------------------------------------------------------------- */
VOID IoFreeMdl(PMDL Mdl) KMCL_FREES(mdl, 1);
PMDL IoAllocateMdl(PVOID VirtualAddress, ULONG Length, BOOLEAN SecondaryBuffer, BOOLEAN ChargeQuota, PIRP Irp)
    KMCL_ALLOCATES(mdl, KMCL_RELEASED_BY(IoFreeMdl));
VOID MmBuildMdlForNonPagedPool(PMDL_BORROWED MemoryDescriptorList);
VOID MmProbeAndLockPages(PMDL_BORROWED MemoryDescriptorList, KPROCESSOR_MODE AccessMode, LOCK_OPERATION Operation);
VOID MmUnlockPages(PMDL_BORROWED MemoryDescriptorList);
PVOID MmGetSystemAddressForMdlSafe(PMDL_BORROWED Mdl, ULONG Priority);
PVOID MmGetMdlVirtualAddress(PMDL_BORROWED Mdl);
ULONG MmGetMdlByteCount(PMDL_BORROWED Mdl);

/* ---- KMCL: vmbuskernelmodeclientlibapi.h ------------------------------------------------------ */
typedef struct _VMBCHANNEL_OPAQUE *VMBCHANNEL;
typedef struct _VMBPACKET_OPAQUE *VMBPACKET;
typedef struct _VMBPACKETCOMPLETION_OPAQUE *VMBPACKETCOMPLETION;
typedef VMBPACKET VMBPACKETCOMPLETION_OBJECT;
/*
 * gcc and clang treat a pointer passed to a bodiless function as handed over (escaped), unless the
 * parameter points to const. The calls that only use a live packet (VmbGuard's "use" effect) take
 * it this way (and the MDL calls their MDL), so that both keep tracking it past them, as VmbGuard does.
 */
typedef const struct _VMBPACKET_OPAQUE *VMBPACKET_BORROWED;

#define VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION 0x1
#define VMBUS_CHANNEL_FORMAT_FLAG_PAGED_BUFFER 0x2
#define VMBUS_CHANNEL_FORMAT_FLAG_FORCE_MDL_LENGTH 0x4
#define VMBUS_CHANNEL_FORMAT_FLAG_NO_COMPLETION 0x8
#define VMBUS_CHANNEL_PROCESS_PACKET_FLAG_NONE 0x0

typedef VOID EVT_VMB_PACKET_COMPLETION_ROUTINE(VMBPACKET Packet, NTSTATUS Status, PVOID Buffer, UINT32 BufferLength);
typedef EVT_VMB_PACKET_COMPLETION_ROUTINE *PFN_VMB_PACKET_COMPLETION_ROUTINE;
typedef VOID EVT_VMB_CHANNEL_PROCESS_PACKET(VMBCHANNEL Channel, VMBPACKETCOMPLETION Packet, PVOID Buffer, UINT32 BufferLength, UINT32 Flags);
typedef EVT_VMB_CHANNEL_PROCESS_PACKET *PFN_VMB_CHANNEL_PROCESS_PACKET;
typedef VOID EVT_VMB_CHANNEL_PROCESSING_COMPLETE(VMBCHANNEL Channel, UINT32 PacketsProcessed);
typedef EVT_VMB_CHANNEL_PROCESSING_COMPLETE *PFN_VMB_CHANNEL_PROCESSING_COMPLETE;

VOID VmbPacketFree(VMBPACKET VmbPacket) KMCL_FREES(vmbpacket, 1);
VMBPACKET VmbPacketAllocate(VMBCHANNEL Channel) KMCL_ALLOCATES(vmbpacket, KMCL_RELEASED_BY(VmbPacketFree));
NTSTATUS VmbPacketInitialize(VMBCHANNEL Channel, VMBPACKET Packet, UINT32 BufferSize);
NTSTATUS VmbPacketSend(VMBPACKET PacketObject, PVOID Buffer, UINT32 BufferLength, PMDL ExternalDataMdl, UINT32 Flags);
NTSTATUS VmbPacketSendWithExternalMdl(VMBPACKET PacketObject, UINT32 Flags, PVOID Buffer, UINT32 BufferLength,
                                      PMDL ExternalDataMdl, UINT32 MdlOffset, UINT32 MdlLength);
NTSTATUS VmbPacketSendWithExternalPfns(VMBPACKET PacketObject, UINT32 Flags, PVOID Buffer, UINT32 BufferLength,
                                       UINT32 PfnCount, ULONG64 *Pfns, UINT32 FirstPfnOffset, UINT32 Length);
VOID VmbPacketSetCompletionRoutine(VMBPACKET_BORROWED PacketObject, PFN_VMB_PACKET_COMPLETION_ROUTINE CompletionRoutine);
PVOID VmbPacketGetContext(VMBPACKET_BORROWED PacketObject);
PVOID VmbPacketGetPointer(VMBPACKET_BORROWED PacketObject);
VOID VmbPacketSetPointer(VMBPACKET_BORROWED PacketObject, PVOID Pointer);
VOID VmbChannelPacketComplete(VMBPACKETCOMPLETION PacketCompletionContext, PVOID PacketCompletionBuffer, UINT32 BufferSize);
NTSTATUS VmbChannelPacketGetExternalData(VMBPACKETCOMPLETION PacketCompletionContext, UINT32 Flags, PMDL *Mdl);
VOID VmbChannelCleanup(VMBCHANNEL Channel);
NTSTATUS VmbChannelAllocate(PDEVICE_OBJECT ParentDeviceObject, BOOLEAN IsServer, VMBCHANNEL *Channel);
NTSTATUS VmbChannelEnable(VMBCHANNEL Channel);
VOID VmbChannelDisable(VMBCHANNEL Channel);
NTSTATUS VmbChannelSendSynchronousRequest(VMBCHANNEL Channel, PVOID Buffer, UINT32 BufferSize, PMDL ExternalDataMdl,
                                          UINT32 Flags, PVOID CompletionBuffer, UINT32 *CompletionBufferSize, PLARGE_INTEGER Timeout);
UINT32 VmbChannelSizeofPacket(VMBCHANNEL Channel, UINT32 ExtraBytes);
PVOID VmbChannelGetPointer(VMBCHANNEL Channel);
VOID VmbChannelSetPointer(VMBCHANNEL Channel, PVOID Pointer);
NTSTATUS VmbChannelInitSetProcessPacketCallbacks(VMBCHANNEL Channel, PFN_VMB_CHANNEL_PROCESS_PACKET ProcessPacketCallback,
                                                 PFN_VMB_CHANNEL_PROCESSING_COMPLETE ProcessingCompleteCallback);

/* Since Windows 10 1803 the same functions are also reached through an interface table. */
typedef struct _KMCL_CLIENT_INTERFACE_V1 {
    ULONG Size;
    ULONG Version;
    VMBPACKET (*VmbPacketAllocate)(VMBCHANNEL Channel);
    VOID (*VmbPacketFree)(VMBPACKET VmbPacket);
    NTSTATUS (*VmbPacketSend)(VMBPACKET PacketObject, PVOID Buffer, UINT32 BufferLength, PMDL ExternalDataMdl, UINT32 Flags);
    VOID (*VmbPacketSetCompletionRoutine)(VMBPACKET_BORROWED PacketObject, PFN_VMB_PACKET_COMPLETION_ROUTINE CompletionRoutine);
    PVOID (*VmbPacketGetContext)(VMBPACKET_BORROWED PacketObject);
    PVOID (*VmbPacketGetPointer)(VMBPACKET_BORROWED PacketObject);
    VOID (*VmbPacketSetPointer)(VMBPACKET_BORROWED PacketObject, PVOID Pointer);
    VOID (*VmbChannelPacketComplete)(VMBPACKETCOMPLETION PacketCompletionContext, PVOID PacketCompletionBuffer, UINT32 BufferSize);
} KMCL_CLIENT_INTERFACE_V1, *PKMCL_CLIENT_INTERFACE_V1;

#endif /* VMBGUARD_BENCH_KMCL_STUB_H */
