// Package worker holds kefu's background tasks: the sender, which takes outbound
// messages from queued to sent or failed, and the media fetcher, which re-hosts
// inbound images while WeChat still has them. Each is started by Run(ctx) and stops
// when ctx ends. They depend on the kefu interfaces only; cmd/kefu wires in the
// store and the WeChat API client.
package worker
