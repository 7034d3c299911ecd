// Package sim is an offline stand-in for WeChat's side of mini-program customer
// service (docs/protocol.md §15): anyone can try kefu, or their own server, without
// reaching WeChat, and every test above the unit level uses it as the fake WeChat.
//
// It has two halves. The API server (api_*.go): an http.Handler (API) that answers
// the api.weixin.qq.com paths a developer server calls — access tokens (classic and
// stable), customer-service send and typing, temporary media upload and download —
// with WeChat's error codes and body shapes. The push side (push_*.go, sim.go):
// simulated users of configured mini programs (Endpoint) who enter the chat and send
// text, images and cards; each push is signed and encrypted per mode and format and
// delivered as WeChat delivers it (a timeout per attempt, several attempts of the
// same request), and each answer is classified: delivered, handed to the model of
// WeChat's web customer-service tool by a valid transfer reply, or failed with the
// notice the user would see. Simulator ties the two together; simtest.Start runs
// one for a Go test on a loopback server and a test clock.
//
// # State model
//
// One API holds, behind one mutex:
//
//   - apps by appid, each with its secret, its classic tokens and its stable token;
//   - tokens by value, each knowing its app, expiry and (once superseded) the end of
//     its overlap;
//   - users by (appid, openid): the reply window (remaining sends and expiry, §12),
//     the time of the last message exchange and the end of the typing indicator
//     (§10.2), and everything delivered to them through the send API;
//   - media by media_id: bytes, content type and expiry (3 days by default).
//
// Users act through methods, not HTTP: the push side of the simulator calls AddUser
// when a user is added before acting (the API then answers them 45015, and an openid
// that is not the app's 40003), UserMessage when a simulated user writes and
// UserEntered when one enters the chat; what they received is read with Received,
// Typing and Quota, and OnDelivery / OnTyping report changes as they happen, for a
// live page. PutMedia stores bytes a user sent, so a server can fetch them with
// media/get.
//
// All time comes from the kefu.Clock in APIOptions, so tests move time (5 minutes,
// 48 hours, 3 days) instead of sleeping. Faults (system errors, latency, a daily send
// limit, dropped replies) can be set at start and changed while running.
package sim
