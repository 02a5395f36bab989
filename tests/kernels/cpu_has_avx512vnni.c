/* Exit status 0 when this CPU (and the OS, which must save the zmm state)
 * runs the avx512vnni target's code: AVX-512 F, BW, VL and VNNI.  ctest
 * runs the target natively then, and under SIMDe otherwise. */
int main(void)
{
	__builtin_cpu_init();
	return !(__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
	         __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni"));
}
