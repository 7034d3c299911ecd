package codec

import "kefu"

// jsonObject calls member for each member of the top-level object in doc, in order,
// with the raw key (quotes included) and the raw value. doc must already be valid
// JSON (json.Valid): the walk only finds boundaries and does not re-check grammar.
// Every index is still bounds-checked, so a bug here is an error, not a panic.
func jsonObject(doc []byte, member func(key, value []byte) error) error {
	i := skipJSONSpace(doc, 0)
	if i >= len(doc) || doc[i] != '{' {
		return kefu.Errorf(kefu.EInvalid, "json push: want an object")
	}
	i = skipJSONSpace(doc, i+1)
	if i < len(doc) && doc[i] == '}' {
		return nil
	}
	for i < len(doc) {
		keyEnd := endOfJSONString(doc, i)
		colon := skipJSONSpace(doc, keyEnd)
		if keyEnd < 0 || colon >= len(doc) || doc[colon] != ':' {
			break
		}
		start := skipJSONSpace(doc, colon+1)
		end := endOfJSONValue(doc, start)
		if end < 0 {
			break
		}
		if err := member(doc[i:keyEnd], doc[start:end]); err != nil {
			return err
		}
		i = skipJSONSpace(doc, end)
		if i < len(doc) && doc[i] == '}' {
			return nil
		}
		if i >= len(doc) || doc[i] != ',' {
			break
		}
		i = skipJSONSpace(doc, i+1)
	}
	return kefu.Errorf(kefu.EInvalid, "json push: malformed object")
}

// skipJSONSpace returns the index of the first byte at or after i that is not JSON
// white space.
func skipJSONSpace(doc []byte, i int) int {
	for i < len(doc) {
		switch doc[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// endOfJSONString returns the index just past the string that opens at i, or -1.
func endOfJSONString(doc []byte, i int) int {
	if i >= len(doc) || doc[i] != '"' {
		return -1
	}
	for j := i + 1; j < len(doc); j++ {
		switch doc[j] {
		case '\\':
			j++ // the escaped byte cannot end the string
		case '"':
			return j + 1
		}
	}
	return -1
}

// endOfJSONValue returns the index just past the value that starts at i, or -1.
// Containers are skipped by counting brackets outside strings, without recursion,
// so nesting depth costs nothing.
func endOfJSONValue(doc []byte, i int) int {
	if i >= len(doc) {
		return -1
	}
	switch doc[i] {
	case '"':
		return endOfJSONString(doc, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(doc); j++ {
			switch doc[j] {
			case '"':
				end := endOfJSONString(doc, j)
				if end < 0 {
					return -1
				}
				j = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return -1
	}
	// A number, true, false or null runs to the next delimiter.
	j := i
	for j < len(doc) {
		switch doc[j] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return j
		}
		j++
	}
	return j
}
