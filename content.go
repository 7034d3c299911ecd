package kefu

import (
	"net/url"
	"strings"
	"unicode/utf8"
)

// KindLink is an outbound link (图文链接) message; users cannot send one, so it has no
// inbound push.
const KindLink Kind = "link"

// MaxTextBytes is the longest text kefu sends. WeChat's limit for mini programs is
// unpublished (docs/protocol.md §14, 45002 beyond it); 2048 UTF-8 bytes is the conservative
// figure, checked before a message is queued rather than learned from a refusal.
const MaxTextBytes = 2048

// MaxImageBytes is the largest image kefu uploads (docs/protocol.md §10.3: 2 MB is the
// conservative client-side limit).
const MaxImageBytes = 2 << 20

// Content is what an outbound message says. Kind selects the fields that count.
type Content struct {
	Kind        Kind   // KindText, KindImage, KindLink or KindCard
	Text        string // KindText
	Media       string // KindImage: the stored image's key; KindCard: its thumbnail's
	Title       string // KindLink, KindCard
	Description string // KindLink
	URL         string // KindLink: opened on tap
	ThumbURL    string // KindLink: a JPEG or PNG shown beside the title
	PagePath    string // KindCard: the page opened, as in app.json, query allowed
}

// Validate checks content against the rules known before WeChat sees it.
func (c Content) Validate() error {
	switch c.Kind {
	case KindText:
		if strings.TrimSpace(c.Text) == "" {
			return Errorf(EInvalid, "the text is empty")
		}
		if len(c.Text) > MaxTextBytes {
			return Errorf(EInvalid, "the text is %d bytes; WeChat takes at most %d", len(c.Text), MaxTextBytes)
		}
		if !utf8.ValidString(c.Text) {
			return Errorf(EInvalid, "the text is not valid UTF-8")
		}
	case KindImage:
		if c.Media == "" {
			return Errorf(EInvalid, "an image message needs a stored image")
		}
	case KindLink:
		if strings.TrimSpace(c.Title) == "" {
			return Errorf(EInvalid, "a link needs a title")
		}
		if !webURL(c.URL) {
			return Errorf(EInvalid, "link url %q: want an http:// or https:// address", c.URL)
		}
		if c.ThumbURL != "" && !webURL(c.ThumbURL) {
			return Errorf(EInvalid, "link thumbnail %q: want an http:// or https:// address", c.ThumbURL)
		}
	case KindCard:
		if strings.TrimSpace(c.Title) == "" {
			return Errorf(EInvalid, "a mini program card needs a title")
		}
		if strings.TrimSpace(c.PagePath) == "" {
			return Errorf(EInvalid, "a mini program card needs a page path")
		}
		if c.Media == "" {
			return Errorf(EInvalid, "a mini program card needs a stored thumbnail image")
		}
	default:
		return Errorf(EInvalid, "cannot send %q: want text, image, link or miniprogrampage", c.Kind)
	}
	return nil
}

// Summary is a one-line text for listings, like Inbound.Summary.
func (c Content) Summary() string {
	switch c.Kind {
	case KindText:
		return c.Text
	case KindImage:
		return "[image]"
	case KindLink:
		return "[link] " + c.Title
	case KindCard:
		return "[mini program card] " + c.Title
	}
	return "[" + string(c.Kind) + "]"
}

// Fields stores the content's fields other than the text, for Message.Fields.
func (c Content) Fields() map[string]string {
	return nonEmpty("media", c.Media, "title", c.Title, "description", c.Description,
		"url", c.URL, "thumb_url", c.ThumbURL, "pagepath", c.PagePath)
}

// ContentOf rebuilds the content of a stored outbound message.
func ContentOf(m *Message) Content {
	c := Content{Kind: m.Kind, Text: m.Content}
	if c.Kind != KindText {
		c.Text = ""
	}
	f := m.Fields
	c.Media, c.Title, c.Description = f["media"], f["title"], f["description"]
	c.URL, c.ThumbURL, c.PagePath = f["url"], f["thumb_url"], f["pagepath"]
	return c
}

func webURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}
