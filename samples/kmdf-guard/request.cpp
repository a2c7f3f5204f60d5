// kmdf-guard: requests live in pool memory from the kernel's placement new until they complete.
#include "guard.h"

NTSTATUS KgdDevice::Submit(KGD_REQUEST* Request)
{
    return Request->Length <= PAGE_SIZE ? STATUS_SUCCESS : STATUS_INVALID_BUFFER_SIZE;
}

_Use_decl_annotations_
NTSTATUS KgdDevice::QueueRequest(ULONG Id, ULONG Length)
{
    KGD_REQUEST* request = new (NonPagedPoolNx, KGD_POOL_TAG) KGD_REQUEST;
    if (request == nullptr) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    request->Id = Id;
    request->Length = Length;
    NTSTATUS status = Submit(request);
    if (!NT_SUCCESS(status)) {
        /* BUG: the request is not deleted when it is refused. */
        return status;
    }
    delete request;
    return STATUS_SUCCESS;
}
