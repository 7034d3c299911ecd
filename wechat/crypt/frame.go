package crypt

import (
	"encoding/binary"
	"math"
)

// The plaintext inside an envelope (FullStr, docs/protocol.md §5.2) is
// random(16) || msg_len(4, big-endian) || msg || appid, then PKCS#7-32 padding.
const (
	randomLen = 16
	headerLen = randomLen + 4
	maxMsgLen = math.MaxUint32
)

// frame is a parsed FullStr. msg and appID alias the decrypted buffer, which the
// caller owns, so parsing copies nothing.
type frame struct {
	random [randomLen]byte
	msg    []byte
	appID  []byte
}

// appendFrame lays out random, msg and appID followed by their padding in one
// buffer of exactly the size that will be encrypted, so sealing allocates once.
// It panics if msg cannot be described by the 32-bit msg_len; Seal checks first.
func appendFrame(random [randomLen]byte, msg []byte, appID string) []byte {
	if uint64(len(msg)) > maxMsgLen {
		panic(ErrMsgTooLong)
	}
	size := headerLen + len(msg) + len(appID)
	pad := padLen(size)
	b := make([]byte, 0, size+pad)
	b = append(b, random[:]...)
	b = binary.BigEndian.AppendUint32(b, uint32(len(msg)))
	b = append(b, msg...)
	b = append(b, appID...)
	for range pad {
		b = append(b, byte(pad))
	}
	return b
}

// parseFrame splits unpadded plaintext. msg_len is untrusted: it is checked
// against what remains before it is used to slice.
func parseFrame(plain []byte) (frame, error) {
	var f frame
	if len(plain) < headerLen {
		return f, ErrBadCiphertext
	}
	copy(f.random[:], plain[:randomLen])
	msgLen := binary.BigEndian.Uint32(plain[randomLen:headerLen])
	rest := plain[headerLen:]
	if uint64(msgLen) > uint64(len(rest)) {
		return f, ErrBadCiphertext
	}
	f.msg = rest[:msgLen:msgLen]
	f.appID = rest[msgLen:]
	return f, nil
}
