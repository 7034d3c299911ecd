// Package bench holds kefu's own load generators. They send traffic to loopback
// only, bounded in count and time, and print figures; the only thing they judge
// is correctness (every acknowledged push stored once, every message sent once),
// and a run that finds otherwise fails.
//
// Each benchmark's whole run is here (RunIngest, RunSend, RunRefuse, RunSeed,
// RunConsole, RunReads), and kefu bench only parses flags for it. Like cmd/kefu, bench is a composition root: to
// measure whole systems it wires a store, the sender and the simulated WeChat API
// together, so it may import them all, and nothing but cmd/kefu imports it.
package bench
