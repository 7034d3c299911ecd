// Package auth holds the pieces of signing agents in that are cryptography or
// bookkeeping rather than kefu's logic: password hashes (argon2id), session tokens
// and their hashes, and the limiter of sign-in attempts. It imports no other kefu
// package, so the console and the CLI both use it.
package auth
