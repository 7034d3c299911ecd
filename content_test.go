package kefu

import (
	"strings"
	"testing"
)

func TestContentValidate(t *testing.T) {
	tests := []struct {
		name string
		c    Content
		ok   bool
	}{
		{"text", Content{Kind: KindText, Text: "你好"}, true},
		{"text with a mini program link", Content{Kind: KindText, Text: `<a href="http://www.qq.com" data-miniprogram-appid="wx1" data-miniprogram-path="pages/index/index">点击</a>`}, true},
		{"empty text", Content{Kind: KindText, Text: "  "}, false},
		{"text too long", Content{Kind: KindText, Text: strings.Repeat("字", 700)}, false},
		{"text at the limit", Content{Kind: KindText, Text: strings.Repeat("a", MaxTextBytes)}, true},
		{"invalid utf-8", Content{Kind: KindText, Text: "a\xffb"}, false},
		{"image", Content{Kind: KindImage, Media: "k"}, true},
		{"image without media", Content{Kind: KindImage}, false},
		{"link", Content{Kind: KindLink, Title: "T", URL: "https://example.com/a"}, true},
		{"link without scheme", Content{Kind: KindLink, Title: "T", URL: "example.com"}, false},
		{"link with a bad thumb", Content{Kind: KindLink, Title: "T", URL: "https://e.com", ThumbURL: "javascript:x"}, false},
		{"link without title", Content{Kind: KindLink, URL: "https://e.com"}, false},
		{"card", Content{Kind: KindCard, Title: "T", PagePath: "pages/index/index?a=1", Media: "k"}, true},
		{"card without thumb", Content{Kind: KindCard, Title: "T", PagePath: "p"}, false},
		{"card without path", Content{Kind: KindCard, Title: "T", Media: "k"}, false},
		{"voice", Content{Kind: "voice"}, false},
	}
	for _, tc := range tests {
		err := tc.c.Validate()
		if (err == nil) != tc.ok {
			t.Errorf("%s: Validate() = %v, want ok=%v", tc.name, err, tc.ok)
		}
		if err != nil && ErrorCodeOf(err) != EInvalid {
			t.Errorf("%s: code %q, want invalid", tc.name, ErrorCodeOf(err))
		}
	}
}

func TestContentRoundTrip(t *testing.T) {
	for _, c := range []Content{
		{Kind: KindText, Text: "hi"},
		{Kind: KindImage, Media: "k1"},
		{Kind: KindLink, Title: "T", Description: "D", URL: "https://e.com", ThumbURL: "https://e.com/t.png"},
		{Kind: KindCard, Title: "T", PagePath: "pages/a", Media: "k2"},
	} {
		m := &Message{Kind: c.Kind, Content: c.Summary(), Fields: c.Fields()}
		if got := ContentOf(m); got != c {
			t.Errorf("ContentOf(stored %+v) = %+v", c, got)
		}
	}
}
