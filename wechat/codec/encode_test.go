package codec

import (
	"reflect"
	"testing"

	"kefu"
)

// EncodePush and Decode are inverses for every kind, in both formats.
func TestEncodePushRoundTrip(t *testing.T) {
	pushes := []Push{
		{Inbound: kefu.Inbound{ToUserName: "gh_1", OpenID: "o1", CreateTime: 1714112445, MsgType: "text", MsgID: 9223372036854775807, Content: "你好 ]]> <b>&amp;", Kind: kefu.KindText}},
		{Inbound: kefu.Inbound{ToUserName: "gh_1", OpenID: "o1", CreateTime: 1, MsgType: "image", MsgID: 2, PicURL: "http://x/y.jpg", MediaID: "m1", Kind: kefu.KindImage}},
		{Inbound: kefu.Inbound{ToUserName: "gh_1", OpenID: "o1", CreateTime: 1, MsgType: "miniprogrampage", MsgID: 3, Title: "t", CardAppID: "wx1", PagePath: "pages/a?b=c", ThumbURL: "u", ThumbMediaID: "tm", Kind: kefu.KindCard}},
		{Inbound: kefu.Inbound{ToUserName: "gh_1", OpenID: "o1", CreateTime: 1, MsgType: "event", Event: "user_enter_tempsession", SessionFrom: "s", Kind: kefu.KindEnter}},
		{Inbound: kefu.Inbound{ToUserName: "gh_1", Kind: kefu.KindOther}, Encrypt: "+abc/def=="},
		{Inbound: kefu.Inbound{ToUserName: "gh_1", OpenID: "o1", CreateTime: 5, MsgType: "text", MsgID: 4, Content: "c", Kind: kefu.KindText}, Encrypt: "xyz"},
	}
	for _, f := range []kefu.Format{kefu.FormatXML, kefu.FormatJSON} {
		for i, p := range pushes {
			doc := EncodePush(&p, f)
			got, gotFormat, err := Decode(doc, f)
			if err != nil || gotFormat != f {
				t.Fatalf("%s #%d: Decode(%s) = %v, %s", f, i, doc, err, gotFormat)
			}
			got.Inbound.Raw = nil
			if !reflect.DeepEqual(*got, p) {
				t.Errorf("%s #%d: round trip\n got %+v\nwant %+v\n doc %s", f, i, *got, p, doc)
			}
		}
	}
}
