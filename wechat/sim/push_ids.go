package sim

import "time"

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
