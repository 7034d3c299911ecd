package sim

import (
	"crypto/rand"
	"encoding/binary"
	"strconv"
	"time"
)

// msgIDFloor is where MsgIds start: the clock in microseconds shifted left 8 bits
// (about 4.5e17 today, the 18-digit size of WeChat's own). A restarted simulator
// thus continues above the ids it gave before, so a server's dedup never mistakes a
// new message for a retry of an old one.
func msgIDFloor(now time.Time) int64 { return now.UnixMicro() << 8 }

// nextMsgID returns a MsgId unique within this Simulator and larger than any before.
func (s *Simulator) nextMsgID() int64 {
	floor := msgIDFloor(s.now())
	for {
		last := s.lastMsgID.Load()
		id := max(last+1, floor)
		if s.lastMsgID.CompareAndSwap(last, id) {
			return id
		}
	}
}

// newNonce returns a decimal nonce like WeChat's (docs/protocol.md §3: e.g.
// "1514711492"), random-looking but never repeated by this Simulator: a counter
// from a random start, multiplied by an odd constant modulo 2^32, which is a
// permutation. Two pushes of one second under one nonce would sign the same URL,
// which kefu refuses for the second in plaintext mode; WeChat's nonces may well
// repeat now and then, but tests must not depend on a 1 in 4 billion draw.
func (s *Simulator) newNonce() string {
	n := s.nonceSeq.Add(1) * 2654435761
	return strconv.FormatUint(uint64(n), 10)
}

// randomUint32 starts the nonce counter somewhere new for each Simulator.
func randomUint32() uint32 {
	var b [4]byte
	rand.Read(b[:])
	return binary.BigEndian.Uint32(b[:])
}
