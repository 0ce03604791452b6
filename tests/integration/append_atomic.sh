#!/bin/sh
# append_atomic.sh - 8 concurrent O_APPEND writers x 2000 fixed-width tagged lines, one write() each: no torn
# line, none lost, each writer's order kept (checked by the client and again with awk).
# shellcheck disable=SC2119 source-path=SCRIPTDIR source=lib.sh
. "${0%/*}/lib.sh"

mmfs_start
f="$MNT/log"
: >"$f"
# The timeout only guards against a hang: under valgrind (scripts/check --valgrind) this takes minutes.
out=$(timeout 600 "$CLIENTS/appender" "$f" 8 2000 2>&1)
expect_eq "appender client" "OK" "$out"
expect_eq "length: 8 x 2000 lines of 48 bytes" "768000" "$(stat -c %s "$f")"
expect_eq "line count" "16000" "$(wc -l <"$f")"
# Independent check: every line 47 characters, per-writer sequence 0,1,2,... with no gap.
bad=$(awk '
	length($0) != 47 { bad++; next }
	{ w = $1; s = substr($2, 2) + 0; if (s != next_seq[w]) bad++; next_seq[w] = s + 1 }
	END { n = 0; for (w in next_seq) { n++; if (next_seq[w] != 2000) bad++ } if (n != 8) bad++; print bad + 0 }
' "$f")
expect_eq "lines out of place (awk)" "0" "$bad"

# The shell's >> from many processes at once: every line arrives whole.
: >"$MNT/shell"
i=0
pids=""
while [ "$i" -lt 8 ]; do
	(
		j=0
		while [ "$j" -lt 100 ]; do
			echo "writer $i line $j" >>"$MNT/shell"
			j=$((j + 1))
		done
	) &
	pids="$pids $!"
	track_pid "$!"
	i=$((i + 1))
done
for p in $pids; do
	wait "$p" || fail "shell appender $p failed"
done
expect_eq "lines from 8 shells x 100 echo >>" "800" "$(grep -c '^writer [0-7] line [0-9]*$' "$MNT/shell")"
expect_eq "distinct lines" "800" "$(sort -u "$MNT/shell" | wc -l)"
mmfs_stop
finish
