// Package bench holds kefu's own load generators. They send traffic to loopback
// only, bounded in count and time, and print figures; they assert nothing.
package bench
