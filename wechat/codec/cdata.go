package codec

import (
	"strconv"
	"unicode/utf8"
)

// appendCDATA appends <name><![CDATA[value]]></name>. WeChat expects string values
// in CDATA; the few values that CDATA cannot hold are made safe here rather than
// trusted not to occur, since a reply that is not well-formed makes WeChat show the
// user an error: "]]>" is split across two sections, and characters XML 1.0 forbids
// become U+FFFD.
func appendCDATA(b []byte, name, value string) []byte {
	b = append(b, '<')
	b = append(b, name...)
	b = append(b, "><![CDATA["...)
	for i := 0; i < len(value); {
		if value[i] == ']' && len(value)-i >= 3 && value[i:i+3] == "]]>" {
			b = append(b, "]]]]><![CDATA[>"...)
			i += 3
			continue
		}
		r, n := utf8.DecodeRuneInString(value[i:])
		if r == utf8.RuneError && n == 1 || !xmlChar(r) {
			b = utf8.AppendRune(b, utf8.RuneError)
		} else {
			b = append(b, value[i:i+n]...)
		}
		i += n
	}
	b = append(b, "]]></"...)
	b = append(b, name...)
	return append(b, '>')
}

// appendIntElement appends <name>n</name>; WeChat writes integers bare.
func appendIntElement(b []byte, name string, n int64) []byte {
	b = append(b, '<')
	b = append(b, name...)
	b = append(b, '>')
	b = strconv.AppendInt(b, n, 10)
	b = append(b, "</"...)
	b = append(b, name...)
	return append(b, '>')
}

// xmlChar reports whether XML 1.0 allows r in a document (its Char production).
func xmlChar(r rune) bool {
	return r == '\t' || r == '\n' || r == '\r' ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF
}
