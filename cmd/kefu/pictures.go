package main

import (
	"fmt"
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

// pictureFetching reads --media-url-hosts and --egress-allow: the hosts inbound
// pictures may be fetched from by URL (none: never by URL), and the prefixes the
// fetch may reach although they are inside (an internal mirror).
func pictureFetching(c serveConfig) (hosts []string, allow []netip.Prefix, err error) {
	if strings.TrimSpace(strings.ToLower(c.mediaURLHosts)) != noURLHosts {
		if hosts, err = egress.ParseHosts(c.mediaURLHosts); err != nil {
			return nil, nil, fmt.Errorf("--media-url-hosts: %v", err)
		}
	}
	if allow, err = egress.ParsePrefixes(c.egressAllow); err != nil {
		return nil, nil, fmt.Errorf("--egress-allow: %v", err)
	}
	return hosts, allow, nil
}
