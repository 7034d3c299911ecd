// Package api is kefu's client for WeChat's server API (docs/protocol.md §10): access
// tokens, customer-service send and typing, temporary media upload and download. It
// implements kefu.WeChatAPI against api.weixin.qq.com or the simulator in wechat/sim.
//
// Three decisions shape it.
//
// Tokens are fetched, cached and refreshed here, per appid, never by callers. The
// stable token in normal mode is the default because every instance may fetch it
// without invalidating another's (§10.6); the classic token is there for apps that
// must keep a central token service happy. A cached token is refreshed a margin ahead
// of its expiry, concurrent callers share one fetch, and a token error (40001, 40014,
// 42001) drops the token only if it is still the one cached, then the call is tried
// once more with a fresh one.
//
// Every failure is an *Error that says whether trying again is safe. kefu never sends
// a message twice because of its own retry (docs/architecture.md invariant 4), so a transport
// failure counts as retryable only when the request provably never left this process
// (httptrace's WroteRequest had not fired); a lost answer to a send is final.
//
// Secrets and access tokens travel only in request bodies and query strings; they are
// stripped from every error and never logged (docs/architecture.md invariant 8).
package api
