// Package storetest is the conformance suite every kefu store passes. A store
// package calls Run from its own tests with a function that opens a fresh, empty
// store on the given clock.
package storetest

import (
	"testing"
	"time"

	"kefu"
	"kefu/internal/testclock"
)

// Opener opens a new empty store that reads time from clock. It registers its own
// cleanup with t.
type Opener func(t *testing.T, clock kefu.Clock) kefu.Store

// Start is the instant every suite clock starts at.
var Start = time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)

// Run runs the whole suite.
func Run(t *testing.T, open Opener) {
	tests := []struct {
		name string
		fn   func(*testing.T, *env)
	}{
		{"AppsCRUD", testAppsCRUD},
		{"AppValidation", testAppValidation},
		{"IngestText", testIngestText},
		{"IngestDuplicate", testIngestDuplicate},
		{"EventDedup", testEventDedup},
		{"OtherEventsStoredWithoutCustomer", testOtherEvents},
		{"EnterGrantsDoNotAccumulate", testEnterGrants},
		{"ConcurrentRetriesStoredOnce", testConcurrentRetries},
		{"Signatures", testSignatures},
		{"MessagesFilter", testMessagesFilter},
		{"CountByWxMsgID", testCountByWxMsgID},
		{"DeleteAppCascades", testDeleteAppCascades},
		{"ClosedStoreRefusesIngest", testClosedStore},
		{"EnqueueAndDeliver", testEnqueueAndDeliver},
		{"OutboxOrderPerCustomer", testOutboxOrderPerCustomer},
		{"AbandonSending", testAbandonSending},
		{"EnqueueIdempotentAndChecked", testEnqueueIdempotentAndChecked},
		{"EnqueueSerialisesLedger", testEnqueueSerialisesLedger},
		{"LedgerCorrections", testLedgerCorrections},
		{"EnqueueSameKeyConcurrently", testEnqueueSameKeyConcurrently},
		{"LedgerCountsQueuedAtNow", testLedgerCountsQueuedAtNow},
		{"MediaRoundTrip", testMediaRoundTrip},
		{"PendingMedia", testPendingMedia},
		{"Agents", testAgents},
		{"DeskRouting", testDeskRouting},
		{"AutoAssignReads", testAutoAssignReads},
		{"QueueTogether", testQueueTogether},
		{"ConcurrentAccept", testConcurrentAccept},
		{"Cards", testCards},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clock := testclock.New(Start)
			tc.fn(t, &env{store: open(t, clock), clock: clock})
		})
	}
}

type env struct {
	store kefu.Store
	clock *testclock.Clock
}
