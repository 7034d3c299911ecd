package crypt

// padBlock is the PKCS#7 block size of the scheme. WeChat pads to the key length,
// 32, not to the AES block size, so every envelope is whole 32-byte blocks and a
// pad byte may be as large as 32 (docs/protocol.md §5.1).
const padBlock = 32

// padLen is the number of pad bytes PKCS#7 adds to n bytes: 1 to 32, a whole
// block when n is already aligned, so the pad is always present and unambiguous.
func padLen(n int) int {
	return padBlock - n%padBlock
}

// unpad strips and checks PKCS#7 padding. It is strict where some SDKs are lax
// (wechatpy treats an out-of-range pad as 0): a wrong key almost always shows up
// here, and accepting junk would only push the failure further down.
func unpad(b []byte) ([]byte, error) {
	if len(b) == 0 {
		return nil, ErrBadPadding
	}
	n := int(b[len(b)-1])
	if n == 0 || n > padBlock || n > len(b) {
		return nil, ErrBadPadding
	}
	var diff byte
	for _, c := range b[len(b)-n:] {
		diff |= c ^ byte(n)
	}
	if diff != 0 {
		return nil, ErrBadPadding
	}
	return b[:len(b)-n], nil
}
