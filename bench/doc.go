// Package bench holds kefu's own load generators. They send traffic to loopback
// only, bounded in count and time, and print figures; they assert nothing.
//
// Each benchmark's whole run is here (RunIngest, RunSend, RunRefuse), and kefu
// bench only parses flags for it. Like cmd/kefu, bench is a composition root: to
// measure whole systems it wires a store, the sender and the simulated WeChat API
// together, so it may import them all, and nothing but cmd/kefu imports it.
package bench
