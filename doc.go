// Package kefu holds the domain of the kefu customer-service system: mini programs
// (App), what users send (Inbound, Message), customers and conversations, the quota
// rules WeChat applies to replies, the domain error type, and the interfaces the
// adapters (store, WeChat, web) implement. It imports the standard library only, so
// every adapter can depend on it and none of them on each other.
package kefu
