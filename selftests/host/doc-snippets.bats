#!/usr/bin/env bats
# selftests/doc-snippets' reading of the docs, on the host (--list): what
# it takes as commands and output, and the transcripts it refuses to let
# escape the test.  The guest runs the snippets themselves (guest-suite).
# shellcheck disable=SC2016 # the docs written here hold literal backquotes and $

setup() {
	load ../bats/lab_helpers
	SNIPPETS=$BATS_TEST_DIRNAME/../doc-snippets
	cd "$BATS_TEST_TMPDIR" || return 1
}

@test "README.md and the guide have no transcript outside a console block" {
	run "$SNIPPETS" --list
	assert_success
	assert_output --partial "Documentation/kthread_lab.rst:"
	assert_output --partial "README.md:"
}

@test "an rst literal block holding a transcript is refused, naming the line" {
	printf 'T\n=\n\nText::\n\n  # echo hi\n  hi\n' >doc.rst
	run "$SNIPPETS" --list doc.rst
	assert_failure
	assert_output --partial "doc.rst:6: a transcript in a literal block"
}

@test "a Markdown sh fence is refused, a plain fence holding a prompt too" {
	printf '# T\n\n```sh\nmake\n```\n\n```\n$ make\n```\n' >doc.md
	run "$SNIPPETS" --list doc.md
	assert_failure
	assert_output --partial "doc.md:3: a shell fence"
	assert_output --partial "doc.md:8: a transcript in a fence"
}

@test "a doc-test marker must be followed by a console block" {
	printf 'T\n=\n\n.. doc-test: skip why\n\nSome text.\n' >doc.rst
	run "$SNIPPETS" --list doc.rst
	assert_failure
	assert_output --partial "doc.rst:6: doc-test marker not followed by a console block"
}

@test "the first line's prompt marks the commands: output may start with the other one" {
	printf 'T\n=\n\n.. doc-test: varies snapshot\n\n.. code-block:: console\n\n  $ cat snapshot\n  # kthread_lab snapshot v1 items=0\n  $ echo a \\\n  > b\n  a > b\n' >doc.rst
	run "$SNIPPETS" --list doc.rst
	assert_success
	assert_output "doc.rst:6 T [varies snapshot] (2 commands)"
}

@test "markers are listed with their block; a skip without a reason is refused" {
	printf '# T\n\n<!-- doc-test: unloaded -->\n<!-- doc-test: skip needs the network -->\n```console\n$ apt-get update\n```\n' >doc.md
	run "$SNIPPETS" --list doc.md
	assert_success
	assert_output "doc.md:5 T [unloaded] [skip needs the network] (1 commands)"
	printf 'T\n=\n\n.. doc-test: skip\n\n.. code-block:: console\n\n  # apt-get update\n' >doc.rst
	run "$SNIPPETS" --list doc.rst
	assert_failure
	assert_output --partial 'doc.rst:4: doc-test marker "skip": want skip REASON'
}
