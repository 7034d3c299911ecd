package api

import (
	"net/http"
	"net/netip"

	"kefu/egress"
)

// DefaultPictureHosts are the hosts WeChat's CDN serves pushed pictures from: the
// PicUrl of a user's image, the ThumbUrl of a card. mmbiz.qpic.cn is the host of
// every PicUrl seen in real pushes (http://mmbiz.qpic.cn/mmbiz_jpg/…/0,
// …/sz_mmbiz_jpg/…); mmbiz.qlogo.cn is its older name, which SSRF-guarded WeChat
// image proxies allow beside it. docs/decisions.md says where the list comes from.
func DefaultPictureHosts() []string {
	return []string{"mmbiz.qpic.cn", "mmbiz.qlogo.cn"}
}

// pictureRedirects bounds the redirects a picture fetch follows, each to a listed
// host and a public address; a CDN may send http to https, or to a mirror.
const pictureRedirects = 3

// PictureClient returns the guarded client FetchURL uses: only hosts and, after
// DNS, only public addresses or addresses in allow, on ports 80 and 443, or exactly
// the address and port of one of allowAddrs; at most 3 redirects, no proxy. An
// empty hosts refuses every URL.
func PictureClient(hosts []string, allow []netip.Prefix, allowAddrs []netip.AddrPort) *http.Client {
	return egress.Policy{Hosts: hosts, Allow: allow, AllowAddrs: allowAddrs, Redirects: pictureRedirects}.Client()
}
