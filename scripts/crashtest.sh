#!/usr/bin/env bash
# crashtest.sh — kill -9 `kefu serve` in the middle of a run, restart it, and check
# that every push answered "success" is stored exactly once.
#
# It runs TestCrashRecovery (cmd/kefu/crash_test.go), which builds the real binary,
# starts `kefu serve` on a fresh database, sends 3000 signed secure-mode pushes from
# 32 connections, SIGKILLs the server once a third are acknowledged, restarts it on
# the same database, resends what was not answered plus a sample of what was (as
# WeChat's retries would), and counts the stored rows of every push by its MsgId.
#
# SQLite always; PostgreSQL too when KEFU_TEST_POSTGRES is set, e.g.
#   KEFU_TEST_POSTGRES='postgres://postgres@127.0.0.1:5432/test?sslmode=disable' scripts/crashtest.sh
set -euo pipefail
cd "$(dirname "$0")/.."

log=$(mktemp)
trap 'rm -f "$log"' EXIT

status=0
go test ./cmd/kefu -run '^TestCrashRecovery$' -v -count=1 >"$log" 2>&1 || status=$?

# The summary is the test's log, without go test's file:line prefix.
sed -n -E 's/^ +crash_test\.go:[0-9]+: //; /^crash test \(/,/^ +final:/{s/^ +//; p}' "$log"
grep -E '^(--- |    --- )(PASS|FAIL|SKIP)|KEFU_TEST_POSTGRES is not set' "$log" || true
if [ "$status" -ne 0 ]; then
	echo
	echo "crash test FAILED; full output:"
	cat "$log"
fi
exit "$status"
