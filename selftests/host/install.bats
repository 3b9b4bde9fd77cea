#!/usr/bin/env bats
# make install / make uninstall into a DESTDIR, on the host: the exact file
# list, the files themselves, no depmod outside DESTDIR, and nothing left
# after the uninstall.  Run by make check (host stage).  The module is
# built for the newest guest kernel (tools/vm/kernels), as KDIR says.

setup_file() {
	cd "$BATS_TEST_DIRNAME/../.." || return 1
	export REPO=$PWD
	export STAGE=$BATS_FILE_TMPDIR/stage
	RELEASE=$(tools/vm/kernels | tail -n 1)
	export RELEASE KDIR=/usr/src/linux-headers-$RELEASE
	# A depmod that only records that it ran: none may run on a DESTDIR
	# install, and never on this machine's own module tree.
	mkdir -p "$BATS_FILE_TMPDIR/bin"
	printf '#!/bin/sh\necho "$*" >>"%s/depmod-calls"\n' "$BATS_FILE_TMPDIR" \
		>"$BATS_FILE_TMPDIR/bin/depmod"
	chmod +x "$BATS_FILE_TMPDIR/bin/depmod"
	export PATH=$BATS_FILE_TMPDIR/bin:$PATH
}

setup() {
	load ../bats/lab_helpers
	cd "$REPO" || return 1
}

# The module's file name as modules_install writes it for KDIR's kernel:
# compressed as the kernel's own (6.1: by the MODULE_COMPRESS type; since
# 6.6 only with MODULE_COMPRESS_ALL).
module_file() {
	local config=$KDIR/.config suffix=""
	if ! grep -q 'CONFIG_MODULE_COMPRESS_ALL' "$config" ||
		grep -q '^CONFIG_MODULE_COMPRESS_ALL=y' "$config"; then
		case $(grep -E '^CONFIG_MODULE_COMPRESS_(GZIP|XZ|ZSTD)=y' "$config") in
		*GZIP*) suffix=.gz ;;
		*XZ*) suffix=.xz ;;
		*ZSTD*) suffix=.zst ;;
		esac
	fi
	echo "lib/modules/$RELEASE/extra/kthread_lab.ko$suffix"
}

@test "make install DESTDIR PREFIX installs ktlab, ktlab(1), its completion and the module, nothing else" {
	run make -s install DESTDIR="$STAGE" PREFIX=/opt/ktl KDIR="$KDIR"
	assert_success
	run bash -c "cd '$STAGE' && find . ! -type d | sed 's|^\./||' | sort"
	assert_output "$(printf '%s\n' "$(module_file)" opt/ktl/bin/ktlab \
		opt/ktl/share/bash-completion/completions/ktlab \
		opt/ktl/share/man/man1/ktlab.1 | sort)"
	[ ! -e "$BATS_FILE_TMPDIR/depmod-calls" ] ||
		fail "depmod ran on a DESTDIR install: $(cat "$BATS_FILE_TMPDIR/depmod-calls")"
}

@test "the installed files are the built ones: ktlab runs, man page and completion are the repository's, the module is for KDIR's kernel" {
	run "$STAGE/opt/ktl/bin/ktlab" --version
	assert_success
	cmp tools/ktlab/ktlab.1 "$STAGE/opt/ktl/share/man/man1/ktlab.1"
	cmp tools/ktlab/completion/ktlab "$STAGE/opt/ktl/share/bash-completion/completions/ktlab"
	run modinfo -F vermagic "$STAGE/$(module_file)"
	assert_success
	[[ $output == "$RELEASE "* ]] || fail "vermagic '$output' is not for $RELEASE"
}

@test "make uninstall with the same DESTDIR and PREFIX leaves no file behind" {
	run make -s uninstall DESTDIR="$STAGE" PREFIX=/opt/ktl KDIR="$KDIR"
	assert_success
	run find "$STAGE" ! -type d
	assert_output ""
	[ ! -e "$BATS_FILE_TMPDIR/depmod-calls" ] ||
		fail "depmod ran on a DESTDIR uninstall: $(cat "$BATS_FILE_TMPDIR/depmod-calls")"
}
