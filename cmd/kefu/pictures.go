package main

import (
	"fmt"
	"net/http"
	"net/netip"
	"strings"

	"kefu/egress"
	"kefu/wechat/api"
)

// noURLHosts is the --media-url-hosts value that turns fetching by URL off; an
// empty environment variable cannot, as it means "not set".
const noURLHosts = "none"

// defaultURLHosts is --media-url-hosts' default: WeChat's CDN.
func defaultURLHosts() string { return strings.Join(api.DefaultPictureHosts(), ",") }

// pictureFetch is the fetch policy for inbound pictures' URLs the flags give.
type pictureFetch struct {
	hosts      []string         // --media-url-hosts; none: never by URL
	allow      []netip.Prefix   // --egress-allow's prefixes, reached on ports 80 and 443
	allowAddrs []netip.AddrPort // --egress-allow's ip:port entries, each on its port
}

// pictureFetching reads --media-url-hosts and --egress-allow: the hosts inbound
// pictures may be fetched from by URL, and what the fetch may reach although it is
// inside (an internal mirror; the simulator).
func pictureFetching(c serveConfig) (p pictureFetch, err error) {
	if strings.TrimSpace(strings.ToLower(c.mediaURLHosts)) != noURLHosts {
		if p.hosts, err = egress.ParseHosts(c.mediaURLHosts); err != nil {
			return pictureFetch{}, fmt.Errorf("--media-url-hosts: %v", err)
		}
	}
	if p.allow, p.allowAddrs, err = egress.ParseAllow(c.egressAllow); err != nil {
		return pictureFetch{}, fmt.Errorf("--egress-allow: %v", err)
	}
	return p, nil
}

// client is the guarded client FetchURL uses.
func (p pictureFetch) client() *http.Client {
	return api.PictureClient(p.hosts, p.allow, p.allowAddrs)
}
