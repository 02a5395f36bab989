/* The runtime library's out-of-line part.  Kept tiny on purpose: every
 * primitive generated code needs in a loop is inline in qrt.h. */
#include "qrt.h"

const char *qrt_version(void)
{
	return QRT_VERSION;
}
