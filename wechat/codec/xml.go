package codec

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"

	"kefu"
)

// decodeXML reads a push whose root element is <xml>. It walks the token stream
// itself rather than unmarshalling into a struct so that it shares the field table
// with the JSON reader, and so that it can insist on a whole document: encoding/xml
// alone would accept text before the root and anything after it.
func decodeXML(body []byte) (*Push, error) {
	d := xml.NewDecoder(bytes.NewReader(body))
	root, err := openRoot(d)
	if err != nil {
		return nil, xmlError(err)
	}
	if root.Name.Local != "xml" {
		return nil, kefu.Errorf(kefu.EInvalid, "xml push: root element is <%s>, want <xml>", clip(root.Name.Local, 32))
	}
	var w wire
	if err := readChildren(d, &w); err != nil {
		return nil, xmlError(err)
	}
	if err := closeDocument(d); err != nil {
		return nil, xmlError(err)
	}
	return w.push(body, "xml")
}

// openRoot skips the prolog (declaration, comments, white space) and returns the
// root element's start tag.
func openRoot(d *xml.Decoder) (xml.StartElement, error) {
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return xml.StartElement{}, errors.New("no root element")
		}
		if err != nil {
			return xml.StartElement{}, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			return t, nil
		case xml.CharData:
			if !blank(t) {
				return xml.StartElement{}, errors.New("text before the root element")
			}
		}
	}
}

// readChildren reads the root's child elements up to the root's end tag, keeping
// the text of those kefu knows and skipping the rest, however deeply they nest.
func readChildren(d *xml.Decoder, w *wire) error {
	for {
		tok, err := d.Token()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			f, ok := fieldNamed(t.Name.Local)
			if !ok {
				if err := d.Skip(); err != nil {
					return err
				}
				continue
			}
			text, err := elementText(d)
			if err != nil {
				return err
			}
			w[f] = text
		case xml.EndElement:
			return nil
		}
	}
}

// elementText returns the character data directly inside the element just opened
// (CDATA and plain text alike, concatenated), consuming its end tag. Nested elements
// are skipped, as encoding/xml does for a string field.
func elementText(d *xml.Decoder) (string, error) {
	var text []byte
	for {
		tok, err := d.Token()
		if err != nil {
			return "", err
		}
		switch t := tok.(type) {
		case xml.CharData:
			text = append(text, t...)
		case xml.StartElement:
			if err := d.Skip(); err != nil {
				return "", err
			}
		case xml.EndElement:
			return string(text), nil
		}
	}
}

// closeDocument checks that nothing but white space, comments and processing
// instructions follows the root element.
func closeDocument(d *xml.Decoder) error {
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.Comment, xml.ProcInst:
		case xml.CharData:
			if !blank(t) {
				return errors.New("text after the root element")
			}
		default:
			return errors.New("content after the root element")
		}
	}
}

// blank reports whether b is XML white space only.
func blank(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			return false
		}
	}
	return true
}

// xmlError wraps a parse failure as a domain error.
func xmlError(err error) error {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return kefu.Errorf(kefu.EInvalid, "xml push: unexpected end of document")
	}
	return kefu.Errorf(kefu.EInvalid, "xml push: %s", clip(err.Error(), 160))
}
