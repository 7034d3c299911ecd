package web

import (
	"encoding/json"
	"strconv"
	"sync/atomic"

	"kefu"
)

// frames holds the encoded Server-Sent Events frames of recent events, so that an
// event that goes to two hundred streams is encoded once, not two hundred times.
// Each slot holds the latest event whose number falls on it; a stream that finds
// an older or newer one there encodes its own (and leaves it for the others).
type frames struct {
	ring [1024]atomic.Pointer[frame]
}

type frame struct {
	seq   uint64
	bytes []byte
}

// of returns e's frame: "id: …\nevent: …\ndata: {…}\n\n".
func (f *frames) of(e kefu.SeqEvent) []byte {
	slot := &f.ring[e.Seq%uint64(len(f.ring))]
	if fr := slot.Load(); fr != nil && fr.seq == e.Seq {
		return fr.bytes
	}
	b := encodeFrame(e)
	slot.Store(&frame{seq: e.Seq, bytes: b})
	return b
}

func encodeFrame(e kefu.SeqEvent) []byte {
	data, _ := json.Marshal(eventView{Kind: e.Kind, App: e.AppID, OpenID: e.OpenID, Conversation: e.ConversationID,
		Message: e.MessageID, Agent: e.AgentID, At: ms(e.At)})
	b := make([]byte, 0, len(data)+64)
	b = append(b, "id: "...)
	b = strconv.AppendUint(b, e.Seq, 10)
	b = append(b, "\nevent: "...)
	b = append(b, e.Kind...)
	b = append(b, "\ndata: "...)
	b = append(b, data...)
	return append(b, "\n\n"...)
}
