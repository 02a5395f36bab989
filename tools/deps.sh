#!/bin/sh
# Installs, with apt-get, whatever qcc's build and tests need and this
# machine lacks.  Sourced by tools/quickstart.sh and tools/test.sh.
need=""
for pair in flex:flex bison:bison cmake:cmake gcc:gcc clang:clang make:make \
            aarch64-linux-gnu-gcc:gcc-aarch64-linux-gnu qemu-aarch64:qemu-user \
            dot:graphviz valgrind:valgrind; do
	cmd=${pair%%:*}
	pkg=${pair#*:}
	command -v "$cmd" >/dev/null 2>&1 || need="$need $pkg"
done
# SIMDe emulates AVX-512 VNNI on CPUs without it, for the avx512vnni tests.
[ -f /usr/include/simde/x86/avx512.h ] || need="$need libsimde-dev"
# the German locale's source, which the determinism test compiles with localedef
[ -f /usr/share/i18n/locales/de_DE ] || need="$need locales"
# Debian's numpy and torch live on /usr/bin/python3 (not on a pyenv python3).
/usr/bin/python3 -c 'import numpy' 2>/dev/null || need="$need python3-numpy"
/usr/bin/python3 -c 'import torch' 2>/dev/null || need="$need python3-torch"
if [ -n "$need" ]; then
	echo "installing:$need"
	SUDO=
	[ "$(id -u)" = 0 ] || SUDO=sudo
	$SUDO apt-get update -q
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q $need
fi
