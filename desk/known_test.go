package desk

import "testing"

// A conversation read as open before a close began is not remembered after it:
// the close may have taken it off the desk.
func TestKnownForgetsAcrossACloseBegunMeanwhile(t *testing.T) {
	var k known
	k.add(1, k.epoch())
	if !k.has(1) {
		t.Fatal("not remembered")
	}
	before := k.epoch()
	k.closing() // a close begins between the read and the add
	k.add(2, before)
	if k.has(1) || k.has(2) {
		t.Fatal("remembered across a close")
	}
	k.add(2, k.epoch())
	if !k.has(2) {
		t.Fatal("not remembered after the close")
	}
}
