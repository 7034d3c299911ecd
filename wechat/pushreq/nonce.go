package pushreq

import (
	"math/rand/v2"
	"strconv"
	"sync/atomic"
)

// Nonces hands out decimal nonces like WeChat's (docs/protocol.md §3: e.g.
// "1514711492"), random-looking but never repeated by one Nonces: a counter from a
// random start, multiplied by an odd constant modulo 2^32, which is a permutation.
// Two pushes of one second under one nonce would sign the same URL, which kefu
// refuses for the second in plaintext mode; WeChat's nonces may well repeat now
// and then, but a simulator or a benchmark must not depend on a 1 in 4 billion
// draw. The zero value is ready, starting at 0; NewNonces starts anywhere.
type Nonces struct {
	seq atomic.Uint32
}

// NewNonces returns Nonces that start at a random place.
func NewNonces() *Nonces {
	n := &Nonces{}
	n.seq.Store(rand.Uint32())
	return n
}

// Next returns the next nonce.
func (n *Nonces) Next() string {
	return strconv.FormatUint(uint64(n.seq.Add(1)*2654435761), 10)
}
