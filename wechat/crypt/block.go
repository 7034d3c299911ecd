package crypt

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/subtle"
)

// keySchedule is one key ready for use: the expanded AES block and the IV, which
// the scheme fixes as the first 16 key bytes. Building it once per key rather
// than once per push keeps the key expansion off the hot path.
type keySchedule struct {
	block cipher.Block
	iv    [aes.BlockSize]byte
}

func newKeySchedule(k Key) *keySchedule {
	block, err := aes.NewCipher(k[:])
	if err != nil {
		// aes.NewCipher fails only on a key length other than 16, 24 or 32.
		panic("crypt: AES rejected a 32-byte key")
	}
	s := &keySchedule{block: block}
	copy(s.iv[:], k[:aes.BlockSize])
	return s
}

// seal encrypts a frame and returns the raw ciphertext, encrypting in place in
// the buffer appendFrame allocated.
func (s *keySchedule) seal(random [randomLen]byte, msg []byte, appID string) []byte {
	b := appendFrame(random, msg, appID)
	cipher.NewCBCEncrypter(s.block, s.iv[:]).CryptBlocks(b, b)
	return b
}

// open decrypts ct in place and parses the frame. ct must be whole 32-byte
// blocks (decodeCiphertext ensures it); the frame aliases ct.
func (s *keySchedule) open(ct []byte) (frame, error) {
	s.decryptCBC(ct)
	plain, err := unpad(ct)
	if err != nil {
		return frame{}, err
	}
	return parseFrame(plain)
}

// decryptCBC decrypts whole AES blocks in place. It walks from the last block to
// the first, so the block XORed into each one is still ciphertext when it is
// needed. Open runs on every push, and cipher.NewCBCDecrypter would allocate a
// decrypter holding a copy of the whole key schedule on each call; tests check
// this loop against it.
func (s *keySchedule) decryptCBC(buf []byte) {
	const size = aes.BlockSize
	for i := len(buf) - size; i >= 0; i -= size {
		blk := buf[i : i+size]
		s.block.Decrypt(blk, blk)
		prev := s.iv[:]
		if i > 0 {
			prev = buf[i-size : i]
		}
		subtle.XORBytes(blk, blk, prev)
	}
}
