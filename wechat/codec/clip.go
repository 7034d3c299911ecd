package codec

import "unicode/utf8"

// clip shortens text that came from outside (an element name, a parser message
// quoting the body) before it goes into an error, keeping errors short enough to log
// and never cutting a UTF-8 sequence in half.
func clip(s string, limit int) string {
	if len(s) <= limit {
		return s
	}
	cut := limit
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
