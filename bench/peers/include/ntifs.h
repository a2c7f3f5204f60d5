/* Stands in for the WDK header of this name: everything the bench needs is in kmcl_stub.h. */
#include "../kmcl_stub.h"
