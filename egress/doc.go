// Package egress guards outgoing HTTP requests whose destination came from outside
// input: a picture URL in a WeChat push today, a webhook URL tomorrow. Without it, a
// push could make kefu fetch its own /metrics, the pprof address or any service on
// the internal network, and learn about the answer from what kefu stored.
//
// A Policy decides three things, each where it cannot be bypassed:
//
//   - which URLs may be asked for (scheme http or https, host on a list), checked on
//     every request the client makes, so on each redirect hop too;
//   - which addresses may be connected to, checked on the address actually dialled,
//     after DNS, so that no name, redirect or IPv6 spelling can point inside: loopback,
//     private, link-local, multicast, unspecified and every other special-purpose range
//     that is not globally reachable are refused, unless the operator allows a prefix
//     (still on the allowed ports, 80 and 443 by default) or one address and port;
//   - how many redirects are followed.
//
// The client never uses a proxy: a proxy would connect on kefu's behalf, out of reach
// of the address check. It imports the standard library only, so any adapter may use
// it.
package egress
