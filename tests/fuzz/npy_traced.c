/* ir/npy.c again, for fuzz_npy only: the fuzz build compiles the
 * library's npy.c without comparison tracing (fuzz_compile only feeds it
 * fixed fixtures), while fuzz_npy wants the header parser's comparisons
 * traced.  Linked before the library, this copy is the one used. */
#include "../../ir/npy.c"
