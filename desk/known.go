package desk

import "sync"

// known remembers conversations the desk has seen waiting or with an agent, so
// that a customer's second message and every one after cost no read: only the
// first message of a conversation, and the first after a close anywhere, asks
// the store. (A read per message was an eighth of the server's CPU at full ingest.)
//
// A close makes every entry doubtful: a message stored into a conversation as it
// closes must reach OnMessage's reopen check. So each close empties the map, and
// counts, before its write; an entry is added only with the count read before
// the store said the conversation was open, so a close that began meanwhile keeps
// it out. This holds for the closes of this process, which are all of them while
// the console runs on one node; several nodes will need the closes of the others.
type known struct {
	mu     sync.Mutex
	closes uint64
	ids    map[int64]struct{}
}

// knownMax bounds the map; past it, it starts again empty (a read per
// conversation refills it).
const knownMax = 100_000

// epoch is the number of closes begun so far: read it before asking the store.
func (k *known) epoch() uint64 {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.closes
}

// has reports whether the conversation is known to be on the desk.
func (k *known) has(id int64) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	_, ok := k.ids[id]
	return ok
}

// add records that the store said the conversation was on the desk, when no
// close has begun since epoch.
func (k *known) add(id int64, epoch uint64) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if epoch != k.closes {
		return
	}
	if k.ids == nil || len(k.ids) >= knownMax {
		k.ids = make(map[int64]struct{})
	}
	k.ids[id] = struct{}{}
}

// closing forgets everything: call it before writing a close.
func (k *known) closing() {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.closes++
	k.ids = nil
}
