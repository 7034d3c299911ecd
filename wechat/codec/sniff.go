package codec

import "kefu"

// Sniff reports which format body is written in, judged by its first byte that is not
// white space: '<' means XML and '{' means JSON. It is a guess, not a validation; its
// use is to rescue pushes whose format differs from the one configured for the app.
func Sniff(body []byte) (kefu.Format, bool) {
	for _, c := range body {
		switch c {
		case ' ', '\t', '\n', '\r':
			continue
		case '<':
			return kefu.FormatXML, true
		case '{':
			return kefu.FormatJSON, true
		}
		return "", false
	}
	return "", false
}
